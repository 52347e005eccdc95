package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Store;
import iptq.symsrv.StoreHttpServer;
import iptq.symsrv.StoreKey;
import iptq.symsrv.StoreWriter;
import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An .etl alone and the usual symbol path: {@code srv*CACHE*http://127.0.0.1:PORT} to a real
 * HTTP server serving a store built from the sample's binaries. Ingest must fetch every module's
 * PE image and PDB into CACHE and decode every segment to the true path, every block named, as
 * with the files given on --image-path; a second run with --offline must ask the server nothing.
 */
class IngestSymbolServerTest {
  private static final Path DATA = Fixtures.projectDir().resolve("sample/data");
  private static final Path BIN = Fixtures.projectDir().resolve("sample/bin");

  @TempDir Path dir;

  private Path store(String... leaveOut) throws Exception {
    Path store = dir.resolve("served");
    try (Stream<Path> s = Files.list(BIN)) {
      for (Path f : s.sorted().toList()) {
        if (!List.of(leaveOut).contains(f.getFileName().toString())) StoreWriter.add(store, f);
      }
    }
    return store;
  }

  private IngestRawTest.Run ingest(Path db, List<String> traces, String... extra) {
    List<String> args = new ArrayList<>(List.of("ingest"));
    for (String t : traces) args.add(DATA.resolve(t).toString());
    args.addAll(List.of("--instructions", "-o", db.toString()));
    args.addAll(List.of(extra));
    // Warnings go to System.err: catch it as well as picocli's writers.
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, true));
    try {
      IngestRawTest.Run r = IngestRawTest.iptq(args.toArray(new String[0]));
      return new IngestRawTest.Run(r.exit(), r.out(), r.err() + err);
    } finally {
      System.setErr(oldErr);
    }
  }

  private static List<String> rows(Path db, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = Store.open(db, true); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) b.append(i > 1 ? "|" : "").append(rs.getString(i));
        out.add(b.toString());
      }
    }
    return out;
  }

  private static final String NAMES = "SELECT segment_id, seq, module, function FROM blocks ORDER BY segment_id, seq";

  @Test
  void anEtlAloneDecodesWithTheSymbolServerThenOfflineFromTheCache() throws Exception {
    Path cache = dir.resolve("cache");
    try (StoreHttpServer http = new StoreHttpServer(store())) {
      String srv = "srv*" + cache + "*" + http.url() + "/";
      Path db = dir.resolve("srv.duckdb");
      IngestRawTest.Run r = ingest(db, List.of("kernel-syscall.etl"), "--symbols", srv);
      assertEquals(0, r.exit(), r.err());
      IngestWindowsTest.assertTruePaths(db);
      assertEquals(List.of(), rows(db, "SELECT name, code_source, symbol_source FROM modules"
          + " WHERE code_source NOT IN ('pe', 'pe+dvrt') OR symbol_source <> 'pdb'"), "every module: code and PDB");
      assertEquals("pe+dvrt", IngestWindowsTest.one(db, "SELECT code_source FROM modules WHERE name = 'sampdrv.sys'"));
      assertEquals("0", IngestWindowsTest.one(db, "SELECT count(*) FROM blocks WHERE function IS NULL"));
      assertEquals(List.of(), rows(db, "SELECT segment_id FROM segments WHERE errors > 0 OR branches = 0"));

      // The same names, block for block, as with the files given locally.
      Path local = dir.resolve("local.duckdb");
      assertEquals(0, ingest(local, List.of("kernel-syscall.etl"), "--image-path", BIN.toString(),
          "--symbols", BIN.toString()).exit());
      assertEquals(rows(local, NAMES), rows(db, NAMES));

      // The cache holds the store layout: each module's image and PDB under its key.
      for (String m : rows(db, "SELECT DISTINCT name FROM modules")) {
        Path pe = BIN.resolve(m);
        StoreKey k = StoreWriter.keyOf(pe);
        assertTrue(Files.isRegularFile(cache.resolve(k.relative())), k.relative());
        String pdb = m.substring(0, m.lastIndexOf('.')) + ".pdb";
        assertTrue(Files.isRegularFile(cache.resolve(StoreWriter.keyOf(BIN.resolve(pdb)).relative())), pdb);
      }

      int asked = http.requests();
      assertTrue(asked > 0);
      Path again = dir.resolve("offline.duckdb");
      IngestRawTest.Run o = ingest(again, List.of("kernel-syscall.etl"), "--symbols", srv, "--offline");
      assertEquals(0, o.exit(), o.err());
      assertEquals(asked, http.requests(), "offline: no request");
      assertEquals(rows(db, NAMES), rows(again, NAMES));
    }
  }

  @Test
  void aFileTheServerLacksIsAskedOnceInARunOfSeveralTraces() throws Exception {
    try (StoreHttpServer http = new StoreHttpServer(store("ntstub.pdb"))) {
      Path db = dir.resolve("two.duckdb");
      IngestRawTest.Run r = ingest(db, List.of("kernel-syscall.etl", "kernel-cswitch.etl"),
          "--symbols", "srv*" + dir.resolve("cache") + "*" + http.url());
      assertEquals(0, r.exit(), r.err());
      StoreKey k = StoreWriter.keyOf(BIN.resolve("ntstub.pdb"));
      assertEquals(1, http.requests("/" + k.relative()), http.requestLog().toString());
      assertEquals(List.of("exports", "exports"), rows(db, "SELECT symbol_source FROM modules WHERE name = 'ntstub.sys'"));
      assertEquals("pdb", IngestWindowsTest.one(db, "SELECT min(symbol_source) FROM modules WHERE name = 'sampdrv.sys'"));
    }
  }

  @Test
  void aStalledServerTimesOutWithAWarningAndTheIngestGoesOn() throws Exception {
    try (StoreHttpServer http = new StoreHttpServer(store())) {
      http.stall("/");
      Path db = dir.resolve("stall.duckdb");
      long t0 = System.nanoTime();
      IngestRawTest.Run r = ingest(db, List.of("kernel-syscall.etl"),
          "--symbols", "srv*" + dir.resolve("cache") + "*" + http.url(), "--symbol-timeout", "0.3");
      double secs = (System.nanoTime() - t0) / 1e9;
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.err().contains("iptq: warning: symbol server " + http.url() + ": no answer within 0.3 s"), r.err());
      assertTrue(r.err().contains("not asked again in this run"), r.err());
      // Up to 4 images are asked for at once, each tried 3 times; once the server is known dead,
      // nothing more is asked (not the other images, not a single PDB).
      assertTrue(http.requests() >= 3 && http.requests() <= 12, http.requestLog().toString());
      assertTrue(http.requestLog().keySet().stream().noneMatch(p -> p.contains(".pdb")), http.requestLog().toString());
      assertTrue(Integer.parseInt(IngestWindowsTest.one(db, "SELECT count(*) FROM segments")) > 0);
      assertTrue(secs < 60, secs + " s");
    }
  }
}
