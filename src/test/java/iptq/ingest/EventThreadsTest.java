package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.sample.Truth;
import iptq.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events whose header carries no thread (the PERFINFO system-call events) are put on the thread
 * running on their processor, from the context switches, as WPA attributes them; image loads
 * take their process from the payload. The sample generator knows which thread made every
 * system call: each recording runs one sampapp.exe thread, whose pid and tid its truth file
 * names for every segment of that recording.
 */
class EventThreadsTest {
  @TempDir Path dir;

  @Test
  void systemCallsOfTheBundledSampleAreOnTheirThread() throws Exception {
    check(SampleSession.bundled(), 1011);
  }

  @Test
  void systemCallsOfAGeneratedSessionAreOnTheirThread() throws Exception {
    check(SampleSession.generate(dir.resolve("session"), 1234, 12), -1);
  }

  private void check(SampleSession session, long expectedCalls) throws Exception {
    Path db = dir.resolve("t.duckdb");
    SampleSession.Run r = session.ingestAll(db);
    assertEquals(0, r.exit(), r.err());
    Map<String, int[]> thread = new HashMap<>();
    for (Truth.Segment s : Truth.read(session.truth()).segments()) {
      int[] prev = thread.put(s.file(), new int[] {s.pid(), s.tid()});
      if (prev != null) assertEquals(prev[1], s.tid(), "one thread per recording in " + s.file());
    }
    assertEquals(3, thread.size());
    long calls = 0;
    try (Connection c = Store.open(db, true); Statement st = c.createStatement()) {
      for (Map.Entry<String, int[]> e : thread.entrySet()) {
        int pid = e.getValue()[0], tid = e.getValue()[1];
        try (ResultSet rs = st.executeQuery("""
            SELECT e.name, count(*), count(*) FILTER (WHERE e.tid = %d AND e.pid = %d AND e.thread_source = 'cswitch'),
                   count(e.tid), count(e.pid)
            FROM events e JOIN traces t USING (trace_id)
            WHERE t.path LIKE '%%%s' AND e.name IN ('SystemCallEnter', 'SystemCallExit') AND e.header_kind = 'perfinfo'
            GROUP BY e.name ORDER BY e.name""".formatted(tid, pid, e.getKey()))) {
          for (String name : new String[] {"SystemCallEnter", "SystemCallExit"}) {
            assertTrue(rs.next(), name + " in " + e.getKey());
            assertEquals(name, rs.getString(1));
            assertTrue(rs.getLong(2) > 0);
            assertEquals(rs.getLong(2), rs.getLong(3),
                name + " events of " + e.getKey() + " on thread " + tid + " of process " + pid);
            calls += rs.getLong(2);
          }
        }
        // Image loads: the process from the payload (the user modules of sampapp.exe), the
        // kernel's rundown under process 0.
        try (ResultSet rs = st.executeQuery("""
            SELECT count(*) FILTER (WHERE e.name = 'ImageLoad' AND e.pid = %d),
                   count(*) FILTER (WHERE e.name = 'ImageDCStart' AND e.pid = 0),
                   count(*) FILTER (WHERE e.name IN ('ImageLoad', 'ImageDCStart') AND e.thread_source = 'payload'),
                   count(*) FILTER (WHERE e.name IN ('ImageLoad', 'ImageDCStart'))
            FROM events e JOIN traces t USING (trace_id) WHERE t.path LIKE '%%%s'""".formatted(pid, e.getKey()))) {
          rs.next();
          assertEquals(rs.getLong(4), rs.getLong(1) + rs.getLong(2), "image events with their process");
          assertEquals(rs.getLong(4), rs.getLong(3));
          assertTrue(rs.getLong(1) > 0 && rs.getLong(2) > 0);
        }
      }
      // Events whose header names the thread keep it.
      try (ResultSet rs = st.executeQuery(
          "SELECT count(*) FROM events WHERE header_kind IN ('system', 'compact') AND thread_source IS DISTINCT FROM 'header'")) {
        rs.next();
        assertEquals(0, rs.getLong(1));
      }
    }
    if (expectedCalls >= 0) assertEquals(2 * expectedCalls, calls, "SystemCallEnter and SystemCallExit events");
  }
}
