package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.flow.FlowTestAccess;
import iptq.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace synthesized over real compiled code, ingested with that code given as raw images:
 * the instructions table must hold exactly the instructions the synthesizer executed, in order.
 */
class IngestFlowTest {
  @TempDir Path dir;

  @Test
  void instructionsTableIsTheTruePath() throws Exception {
    FlowTestAccess.Synth s = FlowTestAccess.synthUser(7, 20_000);
    Path pt = dir.resolve("synth.pt");
    Files.write(pt, s.trace());
    Path db = dir.resolve("synth.duckdb");
    List<String> args = new ArrayList<>(List.of("ingest", pt.toString(), "-o", db.toString(), "--instructions"));
    for (String spec : s.specs()) {
      args.add("--image");
      args.add(spec);
    }
    IngestRawTest.Run r = IngestRawTest.iptq(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());

    List<String> truth = new ArrayList<>();
    for (String line : s.truth()) if (!line.startsWith("[")) truth.add(line.strip().split("\\s+")[0]);

    List<String> decoded = new ArrayList<>();
    long insnsInBlocks;
    try (Connection c = Store.open(db, true); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery(
          "SELECT lpad(lower(hex(ip)), 16, '0') FROM instructions ORDER BY seq, ip")) {
        while (rs.next()) decoded.add(rs.getString(1));
      }
      try (ResultSet rs = st.executeQuery("SELECT sum(insns) FROM blocks")) {
        rs.next();
        insnsInBlocks = rs.getLong(1);
      }
      try (ResultSet rs = st.executeQuery("SELECT instructions, branches, errors, decode_status FROM segments")) {
        assertTrue(rs.next());
        assertEquals(truth.size(), rs.getLong(1));
        assertTrue(rs.getLong(2) > 0);
        assertEquals(0, rs.getLong(3), "decode errors");
        assertEquals("ok", rs.getString(4));
      }
      try (ResultSet rs = st.executeQuery(
          "SELECT count(*) FROM instructions WHERE text IS NULL OR text = '(bad)'")) {
        rs.next();
        assertEquals(0, rs.getLong(1), "every instruction has its capstone text");
      }
    }
    assertEquals(truth.size(), insnsInBlocks);
    assertEquals(truth, decoded);
  }
}
