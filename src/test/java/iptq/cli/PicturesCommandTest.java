package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.view.SampleDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iptq view} and {@code iptq export --format chrome-trace|speedscope|folded} as a user runs them. */
class PicturesCommandTest {
  @Test
  void viewWritesOnePageAndCapsTheSegmentsDrawn(@TempDir Path dir) throws Exception {
    String db = SampleDatabase.path().toString();
    Path page = dir.resolve("sub/report.html");
    Cli r = Cli.run("view", db, "-o", page.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().startsWith("wrote " + page + ": 24 segment(s), "), r.err());
    String html = Files.readString(page);
    assertTrue(html.contains("\"picked\":24,\"drawn\":24"), "meta");
    assertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    try (var in = PicturesCommandTest.class.getClassLoader()
        .getResourceAsStream("META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js")) {
      assertTrue(html.contains(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)), "ECharts is inlined whole");
    }

    Cli capped = Cli.run("view", db, "-o", page.toString(), "--max-segments", "3", "--trace", "3");
    assertEquals(0, capped.exit(), capped.err());
    assertTrue(capped.err().contains(": 8 segment(s) (3 drawn in detail;"), capped.err());
    assertTrue(Files.readString(page).contains("\"picked\":8,\"drawn\":3"));
  }

  @Test
  void exportsWriteTheViewerFormats(@TempDir Path dir) throws Exception {
    String db = SampleDatabase.path().toString();
    for (String f : new String[] {"chrome-trace", "speedscope", "folded"}) {
      Path out = dir.resolve("x." + f);
      Cli r = Cli.run("export", db, "--format", f, "-o", out.toString(), "--tid", "780", "--from", "1.4ms", "--to", "2ms");
      assertEquals(0, r.exit(), f + ": " + r.err());
      assertTrue(Files.size(out) > 100, f);
    }
    String trace = Files.readString(dir.resolve("x.chrome-trace"));
    // --from 1.4ms --to 2ms on tid 780: segments 19-23.
    for (int s = 19; s <= 23; s++) assertTrue(trace.contains("\"segment " + s + " · "), "segment " + s);
    assertTrue(!trace.contains("\"segment 24 · ") && !trace.contains("\"segment 18 · "));
  }

  @Test
  void badRequestsSayWhatIsWrongInOneLine(@TempDir Path dir) throws Exception {
    String db = SampleDatabase.path().toString();
    String out = dir.resolve("o").toString();
    Cli none = Cli.run("view", db, "-o", out, "--segment", "999");
    assertEquals(1, none.exit());
    assertEquals("iptq: no segment matches the filters", none.err().strip());
    Cli time = Cli.run("export", db, "--format", "folded", "-o", out, "--from", "soon");
    assertEquals(1, time.exit());
    assertEquals("iptq: --from: 'soon' is not a time (ns, or with a unit: us, ms, s)", time.err().strip());
    Cli table = Cli.run("export", db, "blocks", "--format", "chrome-trace", "-o", out);
    assertEquals(2, table.exit());
    assertTrue(table.err().contains("--format chrome-trace draws segments"), table.err());
    Cli noTable = Cli.run("export", db, "--format", "csv", "-o", out);
    assertEquals(2, noTable.exit());
    assertTrue(noTable.err().contains("Missing required parameter: 'TABLE|QUERY'"), noTable.err());
    Cli missing = Cli.run("view", dir.resolve("nope.duckdb").toString());
    assertEquals(1, missing.exit(), missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());
  }
}
