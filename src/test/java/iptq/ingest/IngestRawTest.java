package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.cli.Main;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raw trace through the whole path: file → packets → Arrow → DuckDB, and the bad inputs. */
class IngestRawTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run iptq(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    java.io.PrintStream oldOut = System.out;
    System.setOut(new java.io.PrintStream(out, true));
    try {
      int code = cl.execute(args);
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  private static long one(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private static byte[] sampleTrace() {
    PacketEncoder e = new PacketEncoder();
    e.raw(0x99, 0x99, 0x99); // garbage before the first PSB: skipped, not an error row
    e.psb().tsc(0x123456789L).cbr(40).modeExecBits(1).ip(PacketKind.FUP, 0xfffff80212340000L).psbend();
    e.tnt8(3, 0b101).ip(PacketKind.TIP, 0xfffff80212345678L).tnt64(40, 0x12345678abL);
    e.raw(0x02, 0xFF); // not a packet: error, resync at the next PSB
    e.raw(0x55, 0x66);
    e.psb().psbend().ip(PacketKind.TIP_PGE, 0x7ff612340000L).pad().ip(PacketKind.TIP_PGD, 0x7ff612340010L);
    return e.toByteArray();
  }

  @Test
  void rawTraceBecomesOneSegmentWithEveryPacket() throws Exception {
    Path pt = dir.resolve("t.pt");
    Files.write(pt, sampleTrace());
    Path db = dir.resolve("t.duckdb");
    Run r = iptq("ingest", pt.toString(), "-o", db.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("1 segment"), r.out());
    try (Connection c = Store.open(db, true)) {
      assertEquals(1, one(c, "SELECT count(*) FROM traces WHERE kind = 'raw-pt'"));
      assertEquals(1, one(c, "SELECT count(*) FROM segments"));
      // psb tsc cbr mode fup psbend tnt8 tip tnt64, then psb psbend pge pad pgd
      assertEquals(14, one(c, "SELECT count(*) FROM packets"));
      assertEquals(2, one(c, "SELECT count(*) FROM packets WHERE kind = 'psb'"));
      assertEquals(40, one(c, "SELECT tnt_count FROM packets WHERE kind = 'tnt.64'"));
      assertEquals(0x123456789L, one(c, "SELECT payload FROM packets WHERE kind = 'tsc'"));
      assertEquals(3, one(c, "SELECT \"offset\" FROM packets ORDER BY \"offset\" LIMIT 1"));
      assertEquals(1, one(c, "SELECT count(*) FROM decode_errors"));
      assertEquals(14, one(c, "SELECT packets FROM segments"));
      assertEquals(1, one(c, "SELECT errors FROM segments"));
      assertEquals(3 + 4, one(c, "SELECT skipped_bytes FROM segments"), "3 before the first PSB, 4 after the error");
      assertEquals("fffff80212345678".toUpperCase(), text(c, "SELECT hex(ip) FROM packets WHERE kind = 'tip'"));
    }
  }

  private static String text(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }

  @Test
  void refusesToOverwriteWithoutForce() throws Exception {
    Path pt = dir.resolve("t.pt");
    Files.write(pt, sampleTrace());
    Path db = dir.resolve("t.duckdb");
    assertEquals(0, iptq("ingest", pt.toString(), "-o", db.toString()).exit());
    Run again = iptq("ingest", pt.toString(), "-o", db.toString());
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("already exists"), again.err());
    assertEquals(0, iptq("ingest", pt.toString(), "-o", db.toString(), "--force").exit());
  }

  @Test
  void badInputsGiveExitOneAndLeaveNoDatabase() throws Exception {
    Path db = dir.resolve("bad.duckdb");
    Run missing = iptq("ingest", dir.resolve("nope.pt").toString(), "-o", db.toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("nope.pt"), missing.err());

    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello, this is not a trace at all");
    Run unknown = iptq("ingest", text.toString(), "-o", db.toString());
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("notes.txt"), unknown.err());
    assertFalse(Files.exists(db));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary database left behind");
    }
  }
}
