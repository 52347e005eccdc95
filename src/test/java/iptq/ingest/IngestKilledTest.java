package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ingest killed half-way (SIGTERM, as Ctrl-C or a timeout would) leaves no file behind. */
class IngestKilledTest {
  @TempDir Path dir;

  @Test
  void aKilledIngestLeavesNoDatabaseAndNoTemporaryFile() throws Exception {
    Path pt = dir.resolve("big.pt");
    Random r = new Random(5);
    try (OutputStream out = Files.newOutputStream(pt)) {
      PacketEncoder e = new PacketEncoder();
      for (int block = 0; block < 40_000; block++) {
        e.psb().ip(PacketKind.FUP, 0xfffff80212340000L + r.nextInt(1 << 20)).psbend();
        for (int i = 0; i < 300; i++) {
          if (r.nextBoolean()) e.tnt8(1 + r.nextInt(6), r.nextInt(64));
          else e.ip(PacketKind.TIP, 0xfffff80212340000L + r.nextInt(1 << 20));
        }
        e.drainTo(out);
      }
    }
    Path db = dir.resolve("t.duckdb");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "iptq.cli.Main", "ingest", pt.toString(),
        "-o", db.toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    // Wait until the ingest is writing its temporary database, then kill it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean writing = false;
    while (!writing && System.nanoTime() < deadline && p.isAlive()) {
      try (var files = Files.list(dir)) {
        writing = files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
      }
      if (!writing) Thread.sleep(50);
    }
    assertTrue(writing, "the ingest started writing: " + Files.readString(dir.resolve("log.txt")));
    assertTrue(p.isAlive(), "still running when killed");
    p.destroy();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertFalse(Files.exists(db));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("big.pt", "log.txt"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }
}
