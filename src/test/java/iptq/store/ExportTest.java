package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports through DuckDB's writers, read back by DuckDB's readers and by Arrow's. */
class ExportTest {
  @TempDir Path dir;

  @Test
  void parquetAndJsonAreBuiltIntoTheJdbcDriverAndWorkOffline() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      assertEquals(List.of("json | true | STATICALLY_LINKED", "parquet | true | STATICALLY_LINKED"),
          Rows.of(c, "SELECT extension_name, loaded, install_mode FROM duckdb_extensions()"
              + " WHERE extension_name IN ('parquet', 'json') ORDER BY 1"));
    }
  }

  @Test
  void csvParquetJsonThroughCopy() throws Exception {
    Path db = KnownTrace.shared();
    try (Connection c = Store.open(db, true)) {
      String q = Export.query(c, "branches");
      assertEquals("SELECT * FROM \"branches\"", q);
      for (Export.Format f : List.of(Export.Format.CSV, Export.Format.PARQUET, Export.Format.JSON)) {
        Path out = dir.resolve("b." + f.name().toLowerCase());
        assertEquals(33, Export.write(c, q, f, out), f.name());
        // readers with explicit types: inference reads 64-bit addresses as DOUBLE (CSV) or fails (JSON)
        String source = switch (f) {
          case CSV -> "read_csv('" + out + "', types = {'from_ip': 'UBIGINT', 'to_ip': 'UBIGINT'})";
          case PARQUET -> "read_parquet('" + out + "')";
          default -> "(SELECT (json->>'segment_id')::BIGINT AS segment_id, (json->>'seq')::BIGINT AS seq,"
              + " (json->>'from_ip')::UBIGINT AS from_ip, json->>'kind' AS kind FROM read_json_objects('" + out + "'))";
        };
        // the same rows come back, addresses included
        assertEquals(List.of("33 | 0"), Rows.of(c, "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS ("
            + "SELECT 1 FROM branches b WHERE b.segment_id = x.segment_id AND b.seq = x.seq"
            + " AND b.from_ip = x.from_ip AND b.kind = x.kind)) FROM " + source + " x"), f.name());
      }
      assertTrue(Files.readString(dir.resolve("b.csv")).startsWith("segment_id,seq,ts,pid,tid,from_ip,to_ip,kind,"));
    }
  }

  @Test
  void aQueryToAnArrowIpcFile() throws Exception {
    Path db = KnownTrace.shared();
    Path out = dir.resolve("q.arrow");
    try (Connection c = Store.open(db, true)) {
      String q = Export.query(c, "SELECT segment_id, start_ip, function FROM blocks WHERE segment_id = 3 ORDER BY seq;");
      assertEquals(3, Export.write(c, q, Export.Format.ARROW, out));
    }
    try (RootAllocator a = new RootAllocator();
        FileChannel ch = FileChannel.open(out, StandardOpenOption.READ);
        ArrowFileReader r = new ArrowFileReader(ch, a)) {
      StringBuilder sb = new StringBuilder();
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        BigIntVector seg = (BigIntVector) root.getVector("segment_id");
        UInt8Vector ip = (UInt8Vector) root.getVector("start_ip");
        VarCharVector fn = (VarCharVector) root.getVector("function");
        for (int i = 0; i < root.getRowCount(); i++) {
          sb.append(seg.get(i)).append(' ').append(Long.toHexString(ip.get(i))).append(' ').append(fn.getObject(i)).append('\n');
        }
      }
      assertEquals("""
          3 fffff80000006000 KiSwapContext
          3 fffff80000006200 SwapContext
          3 fffff80000006260 SwapContext
          """, sb.toString());
    }
  }

  @Test
  void exportCommandWritesAViewAndFailsOnBadSql() throws Exception {
    String db = KnownTrace.shared().toString();
    Path out = dir.resolve("sum.parquet");
    var cl = iptq.cli.Main.commandLine();
    var err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err, true));
    assertEquals(0, cl.execute("export", db, "segment_summary", "--format", "parquet", "-o", out.toString()), err.toString());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      assertEquals(List.of("7 | 5"), Rows.of(c, "SELECT count(*), count(first_function) FROM '" + out + "'"));
    }
    assertEquals(1, cl.execute("export", db, "SELECT * FROM nosuch", "--format", "csv", "-o", dir.resolve("x.csv").toString()));
    assertTrue(err.toString().contains("Catalog Error"), err.toString());
    assertEquals(2, cl.execute("export", db, "blocks", "--format", "xml", "-o", dir.resolve("x.xml").toString()));
    assertTrue(err.toString().contains("unknown export format 'xml'"), err.toString());
  }

  @Test
  void pathsWithQuotesAreOneLiteral() throws Exception {
    Path out = dir.resolve("it's here.csv");
    try (Connection c = Store.open(KnownTrace.shared(), true)) {
      assertEquals(2, Export.write(c, Export.query(c, "traces"), Export.Format.CSV, out));
    }
    assertTrue(Files.readString(out).contains("/data/known.pt"));
  }
}
