package iptq.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./iptq demo} as a new user runs it: from a fresh clone of this repository (committed
 * files only), building on first use. Its output must name, for every SystemCallExit segment,
 * the functions that truly ran last before the event (from the bundled truth and the PDBs).
 */
class DemoEndToEndTest {
  @Test
  void demoFromACleanCloneNamesTheFunctionsThatRan(@TempDir Path dir) throws Exception {
    Path clone = dir.resolve("iptq");
    run(Path.of("."), 300, "git", "clone", "-q", Path.of(".").toAbsolutePath().normalize().toString(), clone.toString());
    // The clone's Maven wrapper builds from the local repository (offline, as CI does here), and
    // skips compiling the tests a user does not need.
    long t0 = System.nanoTime();
    String out = run(clone, 600, "env", "MAVEN_ARGS=-o -Dmaven.test.skip=true", "./iptq", "demo");
    double secs = (System.nanoTime() - t0) / 1e9;
    Truth truth = Truth.read(clone.resolve("sample/data/truth.txt.gz"));
    // Every segment line, and the true last functions of each SystemCallExit segment.
    Pattern p = Pattern.compile("functions before SystemCallExit: (.*)");
    Matcher m = p.matcher(out);
    List<String> shown = new ArrayList<>();
    while (m.find()) shown.add(m.group(1).trim());
    long exits = truth.segments().stream().filter(s -> s.trigger().equals("SystemCallExit")).count();
    assertEquals(exits, shown.size(), out);
    FunctionNames names = new FunctionNames(clone.resolve("sample/bin"), clone.resolve("sample/data"));
    int i = 0;
    // The demo goes through the recordings in file-name order.
    List<Truth.Segment> ordered = truth.segments().stream()
        .sorted(java.util.Comparator.comparing(Truth.Segment::file)).toList();
    for (Truth.Segment s : ordered) {
      if (!s.trigger().equals("SystemCallExit")) continue;
      String want = names.lastFunctions(truth, s, 6);
      assertEquals(want, shown.get(i++), s.toString());
    }
    assertTrue(out.contains("0 decode errors") && !out.matches("(?s).*[1-9]\\d* decode errors.*"), out);
    System.out.printf("iptq demo from a clean clone: %.1f s (build included)%n", secs);
  }

  static String run(Path cwd, int timeout, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(timeout, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }
}
