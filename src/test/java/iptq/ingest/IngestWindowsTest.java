package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.sample.Truth;
import iptq.store.Store;
import iptq.testing.Fixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Windows path through {@code iptq ingest}, on the bundled sample (real PE files and
 * PDBs built by clang + lld-link, an ETL from our writer, a live kernel dump and a minidump from
 * our writers): every IPT segment must decode to the true instruction path — with the code from
 * the dumps, and again from the PE files alone thanks to the DVRT emulation — and without the
 * emulation the PE-only decode must fail at the optimized imports.
 */
class IngestWindowsTest {
  @TempDir Path dir;

  private static final Path DATA = Fixtures.projectDir().resolve("sample/data");
  private static final Path BIN = Fixtures.projectDir().resolve("sample/bin");
  private static final String ETL = "kernel-syscall.etl";

  private Path ingest(String name, String... extra) {
    Path db = dir.resolve(name + ".duckdb");
    List<String> args = new ArrayList<>(List.of("ingest", DATA.resolve(ETL).toString(),
        "--image-path", BIN.toString(), "--symbols", BIN.toString(), "--instructions", "-o", db.toString()));
    args.addAll(List.of(extra));
    IngestRawTest.Run r = IngestRawTest.iptq(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    return db;
  }

  /** Per segment (in time order), the IPs of the instructions table in execution order. */
  private static List<long[]> decodedPaths(Path db) throws Exception {
    Map<Long, List<Long>> bySegment = new TreeMap<>();
    try (Connection c = Store.open(db, true); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT segment_id, ip FROM instructions ORDER BY segment_id, seq, ip")) {
      while (rs.next()) bySegment.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getBigDecimal(2).longValue());
    }
    List<long[]> out = new ArrayList<>();
    for (List<Long> ips : bySegment.values()) out.add(ips.stream().mapToLong(Long::longValue).toArray());
    return out;
  }

  static String one(Path db, String sql) throws Exception {
    try (Connection c = Store.open(db, true); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  /**
   * A decode must yield the true path up to the last instruction the trace settles, and stop
   * there: the packets end with it, so nothing after it is proven to have run (libipt stops there
   * too: end of trace).
   */
  static void assertTruePaths(Path db) throws Exception {
    Truth truth = Truth.read(DATA.resolve("truth.txt.gz"));
    List<Truth.Segment> want = truth.segments().stream().filter(s -> s.file().equals(ETL)).toList();
    List<long[]> got = decodedPaths(db);
    assertEquals(want.size(), got.size(), "segments with instructions");
    for (int i = 0; i < want.size(); i++) {
      Truth.Segment s = want.get(i);
      long[] g = got.get(i);
      int settled = s.settled() - s.from();
      assertEquals(settled, g.length, "segment " + (i + 1) + ": instructions decoded vs settled by the trace");
      long[] expected = new long[g.length];
      for (int k = 0; k < g.length; k++) expected[k] = truth.ip(s.stream(), s.from() + k);
      assertArrayEquals(expected, g, "segment " + (i + 1));
    }
    assertEquals("0", one(db, "SELECT sum(errors) FROM segments"));
  }

  @Test
  void codeFromTheDumpsGivesTheTruePath() throws Exception {
    Path db = ingest("dumps", "--dump", DATA.resolve("kernel.dmp").toString(),
        "--dump", DATA.resolve("kernel-syscall-sampapp.dmp").toString());
    assertTruePaths(db);
    assertEquals("kernel-dump", one(db, "SELECT code_source FROM modules WHERE name = 'sampdrv.sys'"));
    assertEquals("pdb", one(db, "SELECT symbol_source FROM modules WHERE name = 'sampdrv.sys'"));
    // Each SystemCallExit buffer ends with the return from the service (its last TNT bit): the
    // last function the trace proves ran; SampKiSystemCall64 after it is not in the packets.
    assertEquals("SampSystemService", one(db,
        "SELECT function FROM function_runs WHERE back = 1 GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"));
    assertFunctionRunsAsFromBlocks(db);
  }

  /**
   * The visits the flow sink wrote, row for row, against the same table derived from the blocks
   * table by SQL (an ordered pass over all blocks, which ingest no longer needs).
   */
  private static void assertFunctionRunsAsFromBlocks(Path db) throws Exception {
    String rows = "SELECT * FROM %s ORDER BY segment_id, run";
    try (Connection c = Store.open(db, false); Statement st = c.createStatement()) {
      List<String> written = iptq.store.Rows.of(c, rows.formatted("function_runs"));
      st.execute("DELETE FROM function_run_rows");
      iptq.store.KnownTrace.deriveFunctionRuns(c);
      List<String> derived = iptq.store.Rows.of(c, rows.formatted("function_runs"));
      assertTrue(written.size() > 100, written.size() + " visits");
      assertEquals(derived, written);
    }
  }

  @Test
  void peFilesAloneGiveTheTruePathThanksToTheImportRewrite() throws Exception {
    Path db = ingest("pe");
    assertTruePaths(db);
    assertEquals("pe+dvrt", one(db, "SELECT code_source FROM modules WHERE name = 'sampdrv.sys'"));
  }

  @Test
  void withoutTheRewriteThePeDecodeFailsAtTheFirstOptimizedImport() throws Exception {
    Path db = ingest("file-bytes", "--no-import-rewrite");
    assertEquals(one(db, "SELECT count(*) FROM segments"), one(db,
        "SELECT count(DISTINCT segment_id) FROM decode_errors WHERE kind = 'tip-needed'"),
        "every segment loses track at an import call");
    // The first error names an import call site: the indirect call (48 FF 15) the file has
    // where the kernel put a direct one.
    String message = one(db, "SELECT message FROM decode_errors ORDER BY segment_id, \"offset\" LIMIT 1");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("branch at 0x([0-9a-f]+)").matcher(message);
    assertTrue(m.find(), message);
    long site = Long.parseUnsignedLong(m.group(1), 16);
    long base = Long.parseUnsignedLong(one(db, "SELECT lower(hex(base)) FROM modules WHERE name = 'sampdrv.sys'"), 16);
    byte[] image;
    try (iptq.image.PeFile pe = iptq.image.PeFile.open(BIN.resolve("sampdrv.sys"))) {
      image = pe.mapImage();
    }
    int rva = (int) (site - base);
    assertEquals(0x48, image[rva] & 0xFF, message);
    assertEquals(0xFF, image[rva + 1] & 0xFF, message);
    assertEquals(0x15, image[rva + 2] & 0xFF, message);
  }
}
