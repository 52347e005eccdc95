package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.etl.EtlFile;
import iptq.store.Rows;
import iptq.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times that line up across recordings: every time_utc is the trace's StartTime (from the ETL
 * logfile header, read here by the reader directly) plus ts, to the nanosecond, and the
 * time_utc(trace_id, ts) macro agrees; reports over the three recordings of the sample order
 * by it.
 */
class TimeUtcTest {
  @TempDir Path dir;

  @Test
  void threeRecordingsLineUpOnTheirStartTimes() throws Exception {
    SampleSession s = SampleSession.bundled();
    Path db = dir.resolve("t.duckdb");
    assertEquals(0, s.ingestAll(db).exit());
    try (Connection c = Store.open(db, true)) {
      // the ingest order is kernel-syscall, userkernel-both, kernel-cswitch: trace ids 1, 2, 3
      List<String> starts = new ArrayList<>();
      for (String r : SampleSession.RECORDINGS) {
        try (EtlFile f = EtlFile.open(s.etl(r))) {
          Instant i = f.header().startInstant();
          starts.add(i.getEpochSecond() * 1_000_000_000L + i.getNano() + "");
        }
      }
      assertEquals(starts, Rows.of(c, "SELECT epoch_ns(start_time) FROM traces ORDER BY trace_id"));
      for (String table : List.of("segments", "events")) {
        assertEquals(List.of("0"), Rows.of(c, """
            SELECT count(*) FROM %s x JOIN traces t USING (trace_id)
            WHERE x.time_utc IS DISTINCT FROM make_timestamp_ns(epoch_ns(t.start_time) + x.ts)
               OR x.time_utc IS DISTINCT FROM time_utc(x.trace_id, x.ts) OR x.time_utc IS NULL""".formatted(table)), table);
      }
      assertEquals(List.of("0"), Rows.of(c, """
          SELECT count(*) FROM function_runs r JOIN segments s USING (segment_id)
          WHERE r.time_utc IS DISTINCT FROM time_utc(s.trace_id, r.start_ts) OR r.time_utc IS NULL"""));
      // The recordings were made one after another: by time_utc every segment of one comes
      // before every segment of the next, whatever their ts.
      List<String> order = Rows.of(c, """
          SELECT trace_id FROM (SELECT trace_id, min(time_utc) AS first, max(time_utc) AS last
                                FROM segments GROUP BY trace_id)
          ORDER BY first""");
      assertEquals(List.of("1", "2", "3"), order);
      assertEquals(List.of("true"), Rows.of(c, """
          SELECT bool_and(a.last < b.first) FROM
            (SELECT trace_id, min(time_utc) AS first, max(time_utc) AS last FROM segments GROUP BY trace_id) a
          JOIN (SELECT trace_id, min(time_utc) AS first, max(time_utc) AS last FROM segments GROUP BY trace_id) b
            ON b.trace_id = a.trace_id + 1"""));
    }
    // functions-before over all three: trace_id and time_utc columns, in time order
    Path csv = dir.resolve("before.csv");
    SampleSession.Run r = SampleSession.iptq("report", "functions-before", db.toString(), "-p", "last=1",
        "--format", "csv", "-o", csv.toString());
    assertEquals(0, r.exit(), r.err());
    List<String> rows = java.nio.file.Files.readAllLines(csv);
    assertTrue(rows.get(0).startsWith("segment_id,trace_id,time_utc,event_ts,"), rows.get(0));
    List<String> times = rows.stream().skip(1).map(l -> l.split(",")[2]).toList();
    assertEquals(times.stream().sorted().toList(), times, "ordered by time_utc");
    List<String> traces = rows.stream().skip(1).map(l -> l.split(",")[1]).distinct().toList();
    assertEquals(List.of("1", "2", "3"), traces, "one recording after the other");
    assertEquals(18, rows.size() - 1, "the SystemCallExit segments of all three recordings");
  }
}
