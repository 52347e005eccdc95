package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.flow.FlowTestAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without libcapstone iptq still decodes: {@code iptq insns} lists every instruction's address,
 * only the text is missing, and one warning says how to get capstone on each OS. A fresh JVM is
 * pointed, through {@code -Diptq.capstone.library}, at a library file that does not exist (the
 * check is made once per JVM); pointed at the real file it gives the text again.
 */
class CapstoneMissingTest {
  @TempDir Path dir;

  private record Run(int exit, List<String> out, String err) {}

  private Run insns(String library, FlowTestAccess.Synth s) throws Exception {
    Path trace = dir.resolve("t.pt");
    Files.write(trace, s.trace());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-D" + CapstoneLibrary.PROPERTY + "=" + library,
        "-cp", System.getProperty("java.class.path"), "iptq.cli.Main", "insns", trace.toString()));
    for (String spec : s.specs()) {
      cmd.add("--image");
      cmd.add(spec);
    }
    Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "insns timed out");
    return new Run(p.exitValue(), Files.readAllLines(out), Files.readString(err));
  }

  @Test
  void withoutCapstoneTheListingHasEveryAddressAndOneWarningSaysHowToGetIt() throws Exception {
    FlowTestAccess.Synth s = FlowTestAccess.synthUser(8, 500);
    Path missing = dir.resolve("no-such-folder/libcapstone.so.4");
    Run r = insns(missing.toString(), s);
    assertEquals(0, r.exit(), r.err());
    assertEquals(addresses(s.truth()), addresses(r.out()), "every instruction's address, as --ip-only: decoding went on");
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r.err());
    String w = lines.get(0);
    assertTrue(w.startsWith("iptq: warning: no instruction text: libcapstone not found: " + missing), w);
    for (String how : List.of("Debian/Ubuntu: apt install libcapstone4", "Fedora: dnf install capstone",
        "macOS: brew install capstone", "Windows: capstone.dll", "on PATH or in iptq's lib folder",
        "-Diptq.capstone.library=FILE")) {
      assertTrue(w.contains(how), "names '" + how + "': " + w);
    }
  }

  /** Needs no capstone in this JVM either: the sample's recordings, ingested with --instructions. */
  @Test
  void withoutCapstoneIngestFillsTheInstructionsTableWithoutText() throws Exception {
    Path sample = iptq.testing.Fixtures.projectDir().resolve("sample");
    Path db = dir.resolve("s.duckdb");
    Path missing = dir.resolve("no-such-folder/capstone.dll");
    String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(jvm, "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-D" + CapstoneLibrary.PROPERTY + "=" + missing, "-cp", System.getProperty("java.class.path"),
        "iptq.cli.Main", "ingest", sample.resolve("data/kernel-syscall.etl").toString(),
        "--dump", sample.resolve("data/kernel.dmp").toString(),
        "--dump", sample.resolve("data/kernel-syscall-sampapp.dmp").toString(),
        "--image-path", sample.resolve("bin").toString(), "--symbols", sample.resolve("bin").toString(),
        "--instructions", "--threads", "2", "-o", db.toString());
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ingest timed out");
    String errText = Files.readString(err);
    assertEquals(0, p.exitValue(), errText);
    List<String> warnings = errText.lines().filter(l -> l.contains("no instruction text")).toList();
    assertEquals(1, warnings.size(), "one warning for all decoding threads: " + errText);
    assertTrue(warnings.get(0).contains("libcapstone not found: " + missing) && warnings.get(0).contains(CapstoneLibrary.HOW_TO_GET),
        warnings.get(0));
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + db);
        java.sql.ResultSet rs = c.createStatement().executeQuery(
            "SELECT count(*), count(text), (SELECT sum(insns) FROM blocks) FROM instructions")) {
      assertTrue(rs.next());
      assertTrue(rs.getLong(1) > 1000, "instructions decoded: " + rs.getLong(1));
      assertEquals(0, rs.getLong(2), "no text without capstone");
      assertEquals(rs.getLong(3), rs.getLong(1), "every instruction of every block has its row");
    }
  }

  @Test
  void pointedAtTheRealLibraryTheTextIsBack() throws Exception {
    iptq.testing.Required.capstone();
    Path real = realLibrary();
    FlowTestAccess.Synth s = FlowTestAccess.synthUser(8, 500);
    Run r = insns(real.toString(), s);
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertEquals(addresses(s.truth()).size(), r.out().stream().filter(l -> l.matches("[0-9a-f]{16}(  .*)?")).count());
    long withText = r.out().stream().filter(l -> l.matches("[0-9a-f]{16}  \\S.*")).count();
    assertNotEquals(0, withText, String.join("\n", r.out().subList(0, Math.min(5, r.out().size()))));
  }

  /** The instruction lines (the events are spelt as ptxed spells them, by InsnsCommand's options). */
  private static List<String> addresses(List<String> listing) {
    return listing.stream().filter(l -> l.matches("[0-9a-f]{16}")).toList();
  }

  private static Path realLibrary() throws IOException {
    for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")) {
      Path p = Path.of(d, "libcapstone.so.4");
      if (Files.isRegularFile(p)) return p.toRealPath();
    }
    iptq.testing.Required.that(false, "libcapstone.so.4 not found in the system's library folders (apt-get install libcapstone4)");
    return null;
  }
}
