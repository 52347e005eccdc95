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
    // Columns by their header names: the reports may gain columns.
    String before = "$ iptq report functions-before";
    int segment = column(out, before, "segment_id"), function = column(out, before, "function");
    int module = column(out, before, "module");
    Map<Integer, List<String>> shown = new TreeMap<>();
    for (String[] row : csv(out, before)) {
      shown.computeIfAbsent(Integer.parseInt(row[segment]), k -> new ArrayList<>()).add(row[module] + "!" + row[function]);
    }
    long exits = truth.segments().stream().filter(s -> s.trigger().equals("SystemCallExit")).count();
    assertEquals(exits, shown.size(), out);
    for (Map.Entry<Integer, List<String>> e : shown.entrySet()) {
      Truth.Segment s = ordered.get(e.getKey() - 1);
      assertEquals("SystemCallExit", s.trigger(), s.toString());
      String got = String.join(" > ", e.getValue());
      int n = e.getValue().size();
      // The decode ends with the last instruction the packets prove ran (end of trace).
      String settled = names.lastFunctions(truth, s, s.settled(), n);
      assertEquals(settled, got, s.toString());
      assertEquals(5, n, s.toString());
    }

    // decode-health: every segment decoded, none with errors.
    String decodeHealth = "$ iptq report decode-health";
    int status = column(out, decodeHealth, "decode_status"), errors = column(out, decodeHealth, "errors");
    List<String[]> health = csv(out, decodeHealth);
    assertEquals(truth.segments().size(), health.size(), out);
    for (String[] row : health) {
      assertEquals("ok", row[status], String.join(",", row));
      assertEquals("0", row[errors], String.join(",", row));
    }
  }

  /** The index of column {@code name} in the CSV header printed after the line starting with {@code command}. */
  static int column(String out, String command, String name) {
    String[] lines = out.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith(command)) {
        List<String> header = List.of(lines[i + 1].split(",", -1));
        assertTrue(header.contains(name), "no column " + name + " after " + command + ": " + header);
        return header.indexOf(name);
      }
    }
    throw new AssertionError("no " + command + " in:\n" + out);
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
