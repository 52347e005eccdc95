package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Store;
import iptq.symsrv.StoreHttpServer;
import iptq.symsrv.StoreWriter;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iptq insns/packets TRACE.etl --segment N}: the listing of segment N is the segment ingest
 * stores as segment_id N — the same instructions in the same order, the same packets — and each
 * instruction line names its function as WinDbg does, the names of ingest's blocks.
 */
class SegmentListingTest {
  static final Path DATA = Fixtures.projectDir().resolve("sample/data");
  static final Path BIN = Fixtures.projectDir().resolve("sample/bin");
  static final String ETL = DATA.resolve("kernel-syscall.etl").toString();
  static final Pattern LINE = Pattern.compile("^([0-9a-f]{16})  ([A-Za-z0-9_]+)!([A-Za-z0-9_]+)(\\+0x[0-9a-f]+)?  \\S.*");

  @TempDir Path dir;

  record Out(int exit, String out, String err) {}

  static Out iptq(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      Cli c = Cli.run(args);
      return new Out(c.exit(), buf.toString(StandardCharsets.UTF_8), c.err());
    } finally {
      System.setOut(saved);
    }
  }

  private static List<String> column(Path db, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = Store.open(db, true); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  @Test
  void eachSegmentListedAsIngestDecodesIt() throws Exception {
    Path db = dir.resolve("t.duckdb");
    assertEquals(0, iptq("ingest", ETL, "--image-path", BIN.toString(), "--symbols", BIN.toString(), "--instructions",
        "-o", db.toString()).exit());
    long segments = Long.parseLong(column(db, "SELECT count(*) FROM segments").get(0));
    assertTrue(segments >= 3);
    for (long n : new long[] {1, 2, segments}) {
      Out o = iptq("insns", ETL, "--segment", Long.toString(n), "--image-path", BIN.toString(), "--symbols", BIN.toString());
      assertEquals(0, o.exit(), o.err());
      List<String> ips = new ArrayList<>();
      TreeSet<String> functions = new TreeSet<>();
      for (String line : o.out().split("\n")) {
        if (line.startsWith("[")) continue;
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "segment " + n + ": " + line);
        ips.add(m.group(1));
        functions.add(m.group(2) + "!" + m.group(3));
      }
      assertEquals(column(db, "SELECT lpad(lower(hex(ip)), 16, '0') FROM instructions WHERE segment_id = " + n + " ORDER BY seq, ip"),
          ips, "segment " + n);
      assertEquals(new TreeSet<>(column(db, "SELECT DISTINCT regexp_replace(module, '\\.[a-z]+$', '') || '!' || function"
          + " FROM blocks WHERE segment_id = " + n)), functions, "segment " + n);

      Out p = iptq("packets", ETL, "--segment", Long.toString(n));
      assertEquals(0, p.exit(), p.err());
      assertEquals(Long.parseLong(column(db, "SELECT count(*) FROM packets WHERE segment_id = " + n).get(0)),
          p.out().lines().filter(l -> !l.startsWith("[")).count(), "segment " + n + " packets");
    }
  }

  @Test
  void withTheSymbolServerAlone() throws Exception {
    Path store = dir.resolve("served");
    try (Stream<Path> s = Files.list(BIN)) {
      for (Path f : s.toList()) StoreWriter.add(store, f);
    }
    try (StoreHttpServer http = new StoreHttpServer(store)) {
      Out o = iptq("insns", ETL, "--segment", "1", "--symbols", "srv*" + dir.resolve("cache") + "*" + http.url());
      assertEquals(0, o.exit(), o.err());
      assertTrue(o.out().contains("  sampdrv!SampKiSystemCall64  push rcx\n"), o.out().substring(0, Math.min(600, o.out().length())));
      assertTrue(o.out().contains("sampdrv!SampSystemService+0x"), "names inside the service");
    }
  }

  @Test
  void badSegmentsAreOneClearLine() {
    Out o = iptq("insns", ETL, "--segment", "99", "--image-path", BIN.toString());
    assertEquals(1, o.exit());
    assertTrue(o.err().contains("--segment 99: the trace has 8 IPT segment(s), numbered 1 to 8"), o.err());
    Out none = iptq("insns", ETL, "--segment", "1");
    assertEquals(1, none.exit());
    assertTrue(none.err().contains("no code to decode against"), none.err());
    Out whole = iptq("packets", ETL);
    assertEquals(1, whole.exit());
    assertTrue(whole.err().contains("iptq packets lists one raw trace, or one segment of this one with --segment N"), whole.err());
  }

  @Test
  void windbgNames() {
    assertEquals("nt!KiSystemCall64+0x1c", SegmentOptions.windbgName("ntoskrnl.exe!KiSystemCall64+0x1c"));
    assertEquals("sampdrv!SampKiSystemCall64", SegmentOptions.windbgName("sampdrv.sys!SampKiSystemCall64+0x0"));
    assertEquals("tcpip+0x1234", SegmentOptions.windbgName("tcpip.sys+0x1234"));
  }
}
