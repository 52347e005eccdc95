package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import iptq.ingest.SampleSession;
import iptq.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exports on a session bigger than the bundled one (a generated sample session: hundreds of
 * segments, millions of blocks' worth of steps streamed in batches): folded takes every segment
 * and its weights still add up to the blocks' instructions; chrome-trace and speedscope stop at
 * the cap, say so in the file and on stderr, and hold exactly the first segments in event order.
 * The 2000-event measurements are bench/pictures' (docs/pictures.md § Measured).
 */
class BigSessionPicturesTest {
  @TempDir static Path dir;
  static Path db;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void ingest() throws Exception {
    SampleSession s = SampleSession.generate(dir.resolve("session"), 11, 400);
    db = dir.resolve("big.duckdb");
    SampleSession.Run r = SampleSession.iptq("ingest", s.etl("kernel-syscall").toString(), "--dump", s.kernelDump().toString(),
        "--dump", s.dump("kernel-syscall").toString(), "--image-path", s.bin().toString(), "--symbols", s.bin().toString(),
        "-o", db.toString());
    assertEquals(0, r.exit(), r.err());
  }

  private static List<String> firstSegments(int n) throws Exception {
    try (Connection c = Store.open(db, true)) {
      return FlowReader.segments(c, Selection.ALL).stream().limit(n).map(i -> Long.toString(i.id())).toList();
    }
  }

  @Test
  void foldedTakesEverySegmentAndAddsUp() throws Exception {
    Path out = dir.resolve("all.folded");
    SampleSession.Run r = SampleSession.iptq("export", db.toString(), "--format", "folded", "-o", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(!r.err().contains("note"), r.err());
    long sum = 0;
    for (String line : Files.readAllLines(out)) sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    try (Connection c = Store.open(db, true)) {
      assertTrue(SampleDatabase.number(c, "SELECT count(*) FROM segments") > 100);
      assertEquals(SampleDatabase.number(c, "SELECT sum(insns) FROM blocks"), sum);
    }
  }

  @Test
  void chromeTraceAndSpeedscopeStopAtTheCapAndSaySo() throws Exception {
    long total;
    try (Connection c = Store.open(db, true)) {
      total = SampleDatabase.number(c, "SELECT count(*) FROM segments");
    }
    String note = String.format(java.util.Locale.ROOT, "segments 1–40 of %,d are in this file (--max-segments 40)", total);
    Path trace = dir.resolve("t.json");
    SampleSession.Run r = SampleSession.iptq("export", db.toString(), "--format", "chrome-trace", "--max-segments", "40",
        "-o", trace.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("iptq: note: " + note), note + " in: " + r.err());
    JsonNode root = JSON.readTree(trace.toFile());
    assertTrue(root.get("otherData").get("note").asText().startsWith(note), root.get("otherData").toString());
    ChromeTraceRules rules = ChromeTraceRules.check(root);
    assertEquals(40, rules.segments.size());
    List<String> ids = rules.segments.stream().map(s -> s.replaceAll("^segment (\\d+) .*", "$1")).toList();
    assertEquals(firstSegments(40), ids);

    Path profile = dir.resolve("p.speedscope.json");
    r = SampleSession.iptq("export", db.toString(), "--format", "speedscope", "--max-segments", "40", "-o", profile.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode s = JSON.readTree(profile.toFile());
    assertEquals(40, s.get("profiles").size());
    assertTrue(s.get("name").asText().endsWith(String.format(java.util.Locale.ROOT, "(segments 1–40 of %,d)", total)),
        s.get("name").asText());

    // without --max-segments the default cap is view's, above this session's size: everything, no note
    r = SampleSession.iptq("export", db.toString(), "--format", "chrome-trace", "-o", trace.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(total < Pictures.DEFAULT_CAP);
    assertTrue(!r.err().contains("note"), r.err());
    assertEquals(total, ChromeTraceRules.check(JSON.readTree(trace.toFile())).segments.size());
  }
}
