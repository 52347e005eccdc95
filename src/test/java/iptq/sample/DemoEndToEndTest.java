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
public class DemoEndToEndTest {
  @Test
  void demoFromACleanCloneNamesTheFunctionsThatRan(@TempDir Path dir) throws Exception {
    iptq.testing.Required.tool("git");
    Path clone = dir.resolve("iptq");
    run(Path.of("."), 300, "git", "clone", "-q", Path.of(".").toAbsolutePath().normalize().toString(), clone.toString());
    // The clone's launcher builds as a new user's would (plugins the outer build has not needed
    // yet, such as the jar plugin in the test phase, are fetched), skipping the tests' compilation.
    long t0 = System.nanoTime();
    String out = run(clone, 600, "env", "MAVEN_ARGS=-Dmaven.test.skip=true", "./iptq", "demo");
    double secs = (System.nanoTime() - t0) / 1e9;
    assertAnswer(out, clone);
    assertTrue(secs < 600);
    System.out.printf("iptq demo from a clean clone: %.1f s (build included)%n", secs);
  }

  /**
   * The demo's answer, against the truth bundled in {@code root/sample}: functions-before names,
   * for every SystemCallExit segment, the five functions that truly ran last before the event,
   * and decode-health shows every segment decoded without errors. The release archive's test
   * (ReleaseArchiveIT) checks its demo with this too.
   */
  public static void assertAnswer(String out, Path root) throws Exception {
    Truth truth = Truth.read(root.resolve("sample/data/truth.txt.gz"));
    FunctionNames names = new FunctionNames(root.resolve("sample/bin"), root.resolve("sample/data"));
    // Segment ids follow the recordings in the order ingested (file names), then time.
    List<Truth.Segment> ordered = truth.segments().stream()
        .sorted(java.util.Comparator.comparing(Truth.Segment::file)).toList();

    // functions-before: per segment, the functions in execution order (back = N .. 1).
    Map<Integer, List<String>> shown = new TreeMap<>();
    for (Map<String, String> row : csv(out, "$ iptq report functions-before")) {
      shown.computeIfAbsent(Integer.parseInt(row.get("segment_id")), k -> new ArrayList<>())
          .add(row.get("module") + "!" + row.get("function"));
    }
    long exits = truth.segments().stream().filter(s -> s.trigger().equals("SystemCallExit")).count();
    assertEquals(exits, shown.size(), out);
    for (Map.Entry<Integer, List<String>> e : shown.entrySet()) {
      Truth.Segment s = ordered.get(e.getKey() - 1);
      assertEquals("SystemCallExit", s.trigger(), s.toString());
      int n = e.getValue().size();
      assertEquals(5, n, s.toString());
      // A visit ends where tracing stopped (a system call's exit, then the next one's entry in the
      // same function are two visits); the truth lists traced instructions only, so it sees one.
      // Compare the functions in order, a function repeated back to back once.
      List<String> visits = new ArrayList<>();
      for (String f : e.getValue()) if (visits.isEmpty() || !visits.get(visits.size() - 1).equals(f)) visits.add(f);
      String got = String.join(" > ", visits);
      // The decode ends with the last instruction the packets prove ran (end of trace).
      String settled = names.lastFunctions(truth, s, s.settled(), visits.size());
      assertEquals(settled, got, s.toString());
    }

    // decode-health: every segment decoded, none with errors.
    List<Map<String, String>> health = csv(out, "$ iptq report decode-health");
    assertEquals(truth.segments().size(), health.size(), out);
    for (Map<String, String> row : health) {
      assertEquals("ok", row.get("decode_status"), row.toString());
      assertEquals("0", row.get("errors"), row.toString());
    }
  }

  /**
   * The CSV rows printed after the line starting with {@code command}, by column name (the
   * reports' columns may move; their names stay).
   */
  static List<Map<String, String>> csv(String out, String command) {
    List<Map<String, String>> rows = new ArrayList<>();
    boolean in = false;
    String[] header = null;
    for (String line : out.split("\n")) {
      if (line.startsWith(command)) {
        in = true;
        continue;
      }
      if (!in) continue;
      if (line.isBlank()) break;
      String[] f = line.split(",", -1);
      if (header == null) {
        header = f;
        continue;
      }
      Map<String, String> row = new java.util.LinkedHashMap<>();
      for (int i = 0; i < header.length && i < f.length; i++) row.put(header[i], f[i]);
      rows.add(row);
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
