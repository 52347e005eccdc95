package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Required;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command {@code iptq demo} prints runs as printed: the demo runs in an empty folder, then
 * each "$ iptq …" line and each "Try next" line is given to a shell there, in order, with an
 * {@code iptq} on the PATH, and must succeed.
 */
class DemoCommandsTest {
  static String run(Path cwd, Path bin, String line) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", line).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + java.io.File.pathSeparator + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), line);
    assertEquals(0, p.exitValue(), "as printed, fails:\n" + line + "\n" + out);
    return out;
  }

  @Test
  void everyPrintedCommandRunsAsPrinted(@TempDir Path dir) throws Exception {
    Required.onPath("sh", "a POSIX shell");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path iptq = bin.resolve("iptq");
    Files.writeString(iptq, "#!/bin/sh\nexec " + Jvm.shell(Jvm.iptq()) + " \"$@\"\n");
    Files.setPosixFilePermissions(iptq, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cwd = Files.createDirectories(dir.resolve("work"));

    String demo = run(cwd, bin, "iptq demo");
    List<String> commands = new ArrayList<>();
    List<String> lines = demo.lines().toList();
    boolean next = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("$ iptq ")) {
        StringBuilder c = new StringBuilder(l.substring(2));
        while (c.toString().endsWith("\\")) c.append('\n').append(lines.get(++i));
        commands.add(c.toString());
      } else if (l.startsWith("Done in ") && l.endsWith("Try next:")) {
        next = true;
      } else if (next && l.startsWith("  iptq ")) {
        commands.add(l.strip());
      }
    }
    assertTrue(commands.size() >= 9, demo);
    assertTrue(commands.stream().anyMatch(c -> c.startsWith("iptq ingest ")), demo);
    for (String c : commands) {
      String out = run(cwd, bin, c);
      if (c.startsWith("iptq ingest ")) assertTrue(out.contains("sample.duckdb: 3 trace(s), 24 segment(s)"), out);
    }
    assertTrue(Files.isRegularFile(cwd.resolve("sample.duckdb")));
    assertTrue(Files.isDirectory(cwd.resolve("mysample")));
  }
}
