package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.etl.EtlWriter;
import iptq.etl.EventData;
import iptq.etl.IptOption;
import iptq.etl.KernelPayloads;
import iptq.flow.FlowTestAccess;
import iptq.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WPR-shaped trace written by our ETL writer: a thread, SystemCallExit events, and IPT events
 * attached to them carrying traces synthesized over real code. Ingest must link each buffer to
 * its kernel event, and decode each to exactly the instructions the synthesizer ran.
 */
class IngestEtlTest {
  @TempDir Path dir;

  @Test
  void iptBuffersBecomeSegmentsOfTheirSystemCallExits() throws Exception {
    FlowTestAccess.Synth a = FlowTestAccess.synthUser(11, 1500);
    FlowTestAccess.Synth b = FlowTestAccess.synthUser(12, 1500);
    Path etl = dir.resolve("t.etl");
    IptOption opt = IptOption.of(0, 0, 3, 0, 3, 0, false, 1); // a 32 KiB buffer: not wrapped
    long t0 = EtlWriter.Config.defaults().headerTs();
    int hook = KernelPayloads.SAMPLE_IPT_HOOK;
    try (EtlWriter w = new EtlWriter(etl, EtlWriter.Config.defaults().withCpus(2))) {
      w.system(0, 0x0501, 3, 77, 10, t0 + 1, KernelPayloads.thread(8,
          new EventData.Thread(10, 77, 0, 0, 0, 0, 0, 0, 0, 0, false)));
      w.system(1, 0x0F34, 2, 77, 10, t0 + 1000, KernelPayloads.systemCallExit(0));
      w.system(1, hook, 2, 77, 10, t0 + 1000, KernelPayloads.ipt(t0 + 1000, 10, 77, opt, a.trace().length, a.trace()));
      w.system(0, 0x0F34, 2, 77, 10, t0 + 5000, KernelPayloads.systemCallExit(0));
      w.system(0, hook, 2, 77, 10, t0 + 5000, KernelPayloads.ipt(t0 + 5000, 10, 77, opt, b.trace().length, b.trace()));
    }
    Path db = dir.resolve("t.duckdb");
    List<String> args = new ArrayList<>(List.of("ingest", etl.toString(), "-o", db.toString()));
    for (String spec : a.specs()) {
      args.add("--image");
      args.add(spec);
    }
    IngestRawTest.Run r = IngestRawTest.iptq(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("2 segment"), r.out());

    try (Connection c = Store.open(db, true); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("""
          SELECT s.segment_id, s."trigger", e.name, s.pid, s.tid, s.instructions, s.errors, s.wrapped,
                 s.ts = e.ts, s.decode_status
          FROM segments s JOIN events e ON e.event_id = s.trigger_event_id ORDER BY s.segment_id""")) {
        for (FlowTestAccess.Synth s : List.of(a, b)) {
          assertTrue(rs.next());
          assertEquals("SystemCallExit", rs.getString(2));
          assertEquals("SystemCallExit", rs.getString(3));
          assertEquals(10, rs.getInt(4));
          assertEquals(77, rs.getInt(5));
          long truth = s.truth().stream().filter(l -> !l.startsWith("[")).count();
          assertEquals(truth, rs.getLong(6), "instructions of segment " + rs.getLong(1));
          assertEquals(0, rs.getInt(7));
          assertEquals(false, rs.getBoolean(8));
          assertTrue(rs.getBoolean(9), "segment ts is its event's ts");
          assertEquals("ok", rs.getString(10));
        }
      }
      try (ResultSet rs = st.executeQuery("""
          SELECT count(*) FILTER (WHERE b.pid <> 10 OR b.tid <> 77),
                 count(*) FILTER (WHERE b.ts > s.ts OR b.ts IS NULL)
          FROM branches b JOIN segments s USING (segment_id)""")) {
        rs.next();
        assertEquals(0, rs.getLong(1), "branches carry the traced thread");
        assertEquals(0, rs.getLong(2), "no branch is later than the event its buffer ends at");
      }
    }
  }
}
