package iptq.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./iptq demo} as a new user runs it: from a fresh clone of this repository (committed
 * files only), building on first use. Its functions-before report must name, for every
 * SystemCallExit segment, the functions that truly ran last before the event (from the bundled
 * truth and the PDBs), and decode-health must show every segment decoded without errors.
 */
class DemoEndToEndTest {
  @Test
  void demoFromACleanCloneNamesTheFunctionsThatRan(@TempDir Path dir) throws Exception {
    Path clone = dir.resolve("iptq");
    run(Path.of("."), 300, "git", "clone", "-q", Path.of(".").toAbsolutePath().normalize().toString(), clone.toString());
    // The clone's launcher builds as a new user's would (plugins the outer build has not needed
    // yet, such as the jar plugin in the test phase, are fetched), skipping the tests' compilation.
    long t0 = System.nanoTime();
    String out = run(clone, 600, "env", "MAVEN_ARGS=-Dmaven.test.skip=true", "./iptq", "demo");
    double secs = (System.nanoTime() - t0) / 1e9;
    Truth truth = Truth.read(clone.resolve("sample/data/truth.txt.gz"));
    FunctionNames names = new FunctionNames(clone.resolve("sample/bin"), clone.resolve("sample/data"));
    // Segment ids follow the recordings in the order ingested (file names), then time.
    List<Truth.Segment> ordered = truth.segments().stream()
        .sorted(java.util.Comparator.comparing(Truth.Segment::file)).toList();

    // functions-before: per segment, the functions in execution order (back = N .. 1).
    Map<Integer, List<String>> shown = new TreeMap<>();
    for (String[] row : csv(out, "$ iptq report functions-before")) {
      // segment_id, trace_id, time_utc, event_ts, process, pid, tid, back, function, module, ...
      shown.computeIfAbsent(Integer.parseInt(row[0]), k -> new ArrayList<>()).add(row[9] + "!" + row[8]);
    }
    long exits = truth.segments().stream().filter(s -> s.trigger().equals("SystemCallExit")).count();
    assertEquals(exits, shown.size(), out);
    for (Map.Entry<Integer, List<String>> e : shown.entrySet()) {
      Truth.Segment s = ordered.get(e.getKey() - 1);
      assertEquals("SystemCallExit", s.trigger(), s.toString());
      String got = String.join(" > ", e.getValue());
      int n = e.getValue().size();
      // The decode ends at the last packet, or walks on to the next branch (SYSRET): both true.
      String settled = names.lastFunctions(truth, s, s.settled(), n);
      String to = names.lastFunctions(truth, s, s.to(), n);
      assertTrue(got.equals(settled) || got.equals(to), s + ":\n shown " + got + "\n true  " + to);
      assertEquals(5, n, s.toString());
    }

    // decode-health: every segment decoded, none with errors.
    List<String[]> health = csv(out, "$ iptq report decode-health");
    assertEquals(truth.segments().size(), health.size(), out);
    for (String[] row : health) {
      // segment_id, trace_id, time_utc, trigger, decode_status, packets, instructions, errors, ...
      assertEquals("ok", row[4], String.join(",", row));
      assertEquals("0", row[7], String.join(",", row));
    }
    assertTrue(secs < 600);
    System.out.printf("iptq demo from a clean clone: %.1f s (build included)%n", secs);
  }

  /** The CSV rows (header skipped) printed after the line starting with {@code command}. */
  static List<String[]> csv(String out, String command) {
    List<String[]> rows = new ArrayList<>();
    boolean in = false, header = false;
    for (String line : out.split("\n")) {
      if (line.startsWith(command)) {
        in = true;
        header = true;
        continue;
      }
      if (!in) continue;
      if (line.isBlank()) break;
      if (header) {
        header = false;
        continue;
      }
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  static String run(Path cwd, int timeout, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(timeout, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }
}
