package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.testing.Required;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real stops of a real ingest in a child JVM: Ctrl-C (SIGINT) and SIGTERM print one line and
 * leave nothing; kill -9 leaves the temporary folder and the lock, which the next ingest to that
 * folder removes and takes over; DuckDB's and Arrow's unpacked native libraries are gone from the
 * child's temporary folder as soon as they are loaded, so not even kill -9 leaves them.
 */
class StopsTest {
  @TempDir static Path shared;
  static Path big;
  @TempDir Path dir;

  @BeforeAll
  static void bigTrace() throws Exception {
    big = shared.resolve("big.pt");
    Random r = new Random(5);
    try (OutputStream out = Files.newOutputStream(big)) {
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
  }

  /** An {@code iptq ingest} in a child JVM with its own temporary folder, SIGINT at its default. */
  Process ingest(Path trace, Path db, Path tmp, String log) throws Exception {
    Files.createDirectories(tmp);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    if (sigintIgnored()) {
      // A shell that ran us in the background ignores SIGINT, and so would the child (the JVM
      // leaves an ignored SIGINT ignored): restore the default before it starts, as a terminal has it.
      Required.onPath("python3", "apt-get install python3");
      cmd.addAll(List.of("python3", "-c", "import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
          + " os.execv(sys.argv[1], sys.argv[1:])"));
    }
    cmd.addAll(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp,
        "-cp", System.getProperty("java.class.path"), "iptq.cli.Main", "ingest", trace.toString(),
        "-o", db.toString(), "--threads", "1"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  static boolean sigintIgnored() throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("SigIgn:")) return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 2) != 0;
    }
    return false;
  }

  /** Waits until the child writes its temporary database and has loaded DuckDB. */
  void awaitWriting(Process p, String log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    boolean writing = false;
    while (!writing && System.nanoTime() < deadline && p.isAlive()) {
      try (var files = Files.list(dir)) {
        writing = files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
      }
      if (!writing) Thread.sleep(50);
    }
    assertTrue(writing, "the ingest started writing: " + Files.readString(dir.resolve(log)));
    Thread.sleep(1500); // well into loading batches
    assertTrue(p.isAlive(), "still running when stopped: " + Files.readString(dir.resolve(log)));
  }

  static List<String> names(Path d) throws Exception {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  void stoppedBy(String signal, int exit) throws Exception {
    Path db = dir.resolve("t.duckdb");
    Path tmp = dir.resolve("tmp");
    Process p = ingest(big, db, tmp, "log.txt");
    awaitWriting(p, "log.txt");
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertEquals(0, kill.waitFor());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
    assertEquals("iptq: interrupted\n", out);
    assertEquals(exit, p.exitValue());
    assertEquals(List.of("log.txt", "tmp"), names(dir));
    assertEquals(List.of(), names(tmp));
  }

  @Test
  void sigtermPrintsOneLineExits143AndLeavesNothing() throws Exception {
    stoppedBy("TERM", 143);
  }

  @Test
  void ctrlCPrintsOneLineExits130AndLeavesNothing() throws Exception {
    stoppedBy("INT", 130);
  }

  @Test
  void afterKill9TheNextIngestCleansUpAndTakesTheLockOver() throws Exception {
    Path db = dir.resolve("t.duckdb");
    Path tmp = dir.resolve("tmp");
    Process p = ingest(big, db, tmp, "log.txt");
    awaitWriting(p, "log.txt");
    p.destroyForcibly(); // SIGKILL: no hook, no handler runs
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue());
    String temp = ".t.duckdb." + p.pid() + ".tmp";
    assertEquals(List.of(".t.duckdb.lock", temp, "log.txt", "tmp").stream().sorted().toList(), names(dir));
    // The native libraries were deleted once loaded: kill -9 left none in the temporary folder.
    assertEquals(List.of(), names(tmp));

    // The next ingest to the folder: the dead writer's lock is taken over, its folder removed.
    Path small = dir.resolve("small.pt");
    PacketEncoder e = new PacketEncoder();
    e.psb().ip(PacketKind.FUP, 0x401000).psbend().tnt8(3, 5);
    Files.write(small, e.toByteArray());
    Process second = ingest(small, db, tmp, "log2.txt");
    assertTrue(second.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, second.exitValue(), Files.readString(dir.resolve("log2.txt")));
    assertEquals(List.of("log.txt", "log2.txt", "small.pt", "t.duckdb", "tmp"), names(dir));
    assertEquals(List.of(), names(tmp));
    assertFalse(Files.exists(dir.resolve(temp)));
  }
}
