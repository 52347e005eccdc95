package iptq.cli;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest's progress line appears where standard error is a terminal and nowhere else, judged
 * per stream: run under a real pseudo-terminal ({@code script}), with one of stdout and stderr
 * redirected to a file at a time.
 */
class ProgressTerminalTest {
  @TempDir static Path dir;
  static Path pt;

  @BeforeAll
  static void trace() throws Exception {
    pt = dir.resolve("t.pt");
    try (OutputStream out = Files.newOutputStream(pt)) {
      PacketEncoder e = new PacketEncoder();
      for (int i = 0; i < 50; i++) e.psb().ip(PacketKind.FUP, 0xfffff80212340000L + i).psbend().tnt8(3, 5);
      e.drainTo(out);
    }
  }

  /** Runs {@code line} with sh under a pseudo-terminal; returns what reached the terminal. */
  static String underTerminal(String line, String progressSetting) throws Exception {
    Required.onPath("script", "util-linux's script: apt-get install bsdutils");
    ProcessBuilder pb = new ProcessBuilder("script", "-qec", line, "/dev/null").directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true);
    pb.environment().remove("CI");
    pb.environment().remove("IPTQ_PROGRESS");
    if (progressSetting != null) pb.environment().put("IPTQ_PROGRESS", progressSetting);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), line);
    assertEquals(0, p.exitValue(), line + ":\n" + out);
    return out;
  }

  static String ingest(String db) {
    return Jvm.shell(Jvm.iptq("ingest", pt.toString(), "-o", dir.resolve(db).toString()));
  }

  @Test
  void stdoutATerminalStderrAFile() throws Exception {
    String tty = underTerminal(ingest("a.duckdb") + " 2>err-a.log", null);
    assertTrue(tty.contains("1 trace(s), 1 segment(s)"), tty);
    String log = Files.readString(dir.resolve("err-a.log"));
    assertFalse(log.contains("\r") || log.contains("segments,"), "progress in a log file: " + log);
  }

  @Test
  void stderrATerminalStdoutAFile() throws Exception {
    String tty = underTerminal(ingest("b.duckdb") + " >out-b.log", null);
    assertTrue(tty.contains("\r  1 segments, "), "no progress on the terminal: " + tty);
    String out = Files.readString(dir.resolve("out-b.log"));
    assertTrue(out.contains("1 trace(s), 1 segment(s)") && !out.contains("\r"), out);
  }

  @Test
  void theEnvironmentOverrides() throws Exception {
    String tty = underTerminal(ingest("c.duckdb") + " >out-c.log", "never");
    assertFalse(tty.contains("segments, "), tty);
    underTerminal(ingest("d.duckdb") + " 2>err-d.log", "always");
    assertTrue(Files.readString(dir.resolve("err-d.log")).contains("\r  1 segments, "));
  }

  @Test
  void settingsAndCi() {
    assertTrue(Tty.progress(null, false, () -> true));
    assertFalse(Tty.progress(null, false, () -> false));
    assertFalse(Tty.progress(null, true, () -> true), "CI logs keep every \\r line");
    assertTrue(Tty.progress("always", true, () -> false));
    assertFalse(Tty.progress("never", false, () -> true));
    assertTrue(Tty.progress("auto", false, () -> true));
  }
}
