package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import iptq.store.Report;
import iptq.store.Rows;
import iptq.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every report over a database of several recordings (the sample's three) says which recording
 * each row comes from — trace_id on rows of one segment or event, traces on rows that sum over
 * segments — and a report whose rows are segments or events lists them by time_utc, so the
 * recordings read in wall-clock order; segment-diff names the recording of each of its two.
 */
class ReportsAcrossTracesTest {
  @TempDir static Path dir;
  static Path db;

  @BeforeAll
  static void ingest() {
    db = dir.resolve("three.duckdb");
    SampleSession.Run r = SampleSession.bundled().ingestAll(db);
    assertEquals(0, r.exit(), r.err());
  }

  private static List<JsonNode> report(String name, String... params) throws Exception {
    Path out = dir.resolve(name + ".json");
    List<String> a = new ArrayList<>(List.of("report", name, db.toString(), "--format", "json", "-o", out.toString()));
    for (String p : params) a.addAll(List.of("-p", p));
    SampleSession.Run r = SampleSession.iptq(a.toArray(new String[0]));
    assertEquals(0, r.exit(), name + ": " + r.err());
    List<JsonNode> rows = new ArrayList<>();
    new ObjectMapper().readTree(out.toFile()).forEach(rows::add);
    assertTrue(!rows.isEmpty(), name + " has rows");
    return rows;
  }

  private static List<String> fields(JsonNode row) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> i = row.fieldNames(); i.hasNext(); ) out.add(i.next());
    return out;
  }

  @Test
  void everyReportNamesTheRecordingAndRowsOfSegmentsFollowTime() throws Exception {
    String tid;
    try (Connection c = Store.open(db, true)) {
      // the thread with the most segments
      tid = Rows.of(c, "SELECT tid FROM segments GROUP BY tid ORDER BY count(*) DESC, tid LIMIT 1").get(0);
    }
    int checked = 0;
    for (String name : Report.names()) {
      if (name.equals("segment-diff")) continue; // two given segments: checked below
      List<JsonNode> rows = name.equals("timeline") ? report(name, "tid=" + tid) : report(name);
      List<String> cols = fields(rows.get(0));
      if (cols.contains("time_utc")) {
        assertTrue(cols.contains("trace_id"), name + ": " + cols);
        List<String> times = rows.stream().map(r -> r.get("time_utc").asText()).toList();
        assertEquals(times.stream().sorted().toList(), times, name + " orders by time_utc");
        List<String> traces = rows.stream().map(r -> r.get("trace_id").asText()).distinct().toList();
        // a thread id is one recording's (timeline shows one thread); the others span all three
        assertEquals(name.equals("timeline") ? traces.stream().sorted().toList() : List.of("1", "2", "3"), traces,
            name + ": the recordings one after the other");
      } else {
        // a row that sums over segments names the recordings it sums over
        assertTrue(cols.contains("traces"), name + ": " + cols);
        assertTrue(rows.stream().anyMatch(r -> r.get("traces").asText().equals("1, 2, 3")), name + ": a row of all three");
      }
      checked++;
    }
    assertEquals(Report.names().size() - 1, checked);

    // segment-diff names the recording of each of its two segments
    String a, b;
    try (Connection c = Store.open(db, true)) {
      a = Rows.of(c, "SELECT min(segment_id) FROM segments WHERE trace_id = 1").get(0);
      b = Rows.of(c, "SELECT min(segment_id) FROM segments WHERE trace_id = 3").get(0);
    }
    for (JsonNode row : report("segment-diff", "a=" + a, "b=" + b)) {
      assertEquals(1, row.get("a_trace_id").asInt(), row.toString());
      assertEquals(3, row.get("b_trace_id").asInt(), row.toString());
    }

    // call-tree lists every call of the three recordings by its segment's event time
    List<JsonNode> calls = report("call-tree");
    try (Connection c = Store.open(db, true)) {
      assertEquals(Rows.of(c, "SELECT count(*) FROM calls").get(0), Integer.toString(calls.size()));
      List<String> want = Rows.of(c, "SELECT segment_id FROM segments WHERE segment_id IN (SELECT segment_id FROM calls)"
          + " ORDER BY time_utc, trace_id, segment_id");
      List<String> got = calls.stream().map(r -> r.get("segment_id").asText()).distinct().toList();
      assertEquals(want, got);
    }
  }
}
