package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet dataset of ingest --parquet: every table, partitioned by trace, reads back whole. */
class ParquetExportTest {
  @TempDir Path dir;

  @Test
  void everyTableReadsBackWithTheSameRowCountsPerTrace() throws Exception {
    Map<String, Long> written;
    String perTrace = """
        SELECT 'segments', trace_id, count(*) FROM segments GROUP BY ALL
        UNION ALL SELECT 'packets', s.trace_id, count(*) FROM packets JOIN segments s USING (segment_id) GROUP BY ALL
        UNION ALL SELECT 'symbols', m.trace_id, count(*) FROM symbols JOIN modules m USING (module_id) GROUP BY ALL
        ORDER BY 1, 2""";
    List<String> expected;
    try (Connection c = Store.open(KnownTrace.shared(), true)) {
      written = ParquetExport.writeDataset(c, dir);
      expected = Rows.of(c, perTrace);
    }
    assertEquals(List.of("blocks", "branches", "decode_errors", "events", "flow_events", "function_runs", "instructions", "meta",
        "modules", "packets", "processes", "segments", "symbols", "threads", "traces"), List.copyOf(written.keySet()));
    assertTrue(Files.isRegularFile(dir.resolve("packets/trace_id=1/data_0.parquet")));
    assertTrue(Files.isRegularFile(dir.resolve("packets/trace_id=2/data_0.parquet")));
    assertTrue(Files.isRegularFile(dir.resolve("meta/data_0.parquet")));

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      for (Map.Entry<String, Long> e : written.entrySet()) {
        String glob = dir.resolve(e.getKey()) + "/**/*.parquet";
        assertEquals(List.of(Long.toString(e.getValue())),
            Rows.of(c, "SELECT count(*) FROM read_parquet('" + glob + "', hive_partitioning = true)"), e.getKey());
      }
      // views over the dataset answer like the tables did, trace by trace
      for (String t : List.of("segments", "packets", "symbols", "modules")) {
        c.createStatement().execute("CREATE VIEW " + t + " AS SELECT * FROM read_parquet('" + dir.resolve(t) + "/**/*.parquet', hive_partitioning = true)");
      }
      assertEquals(expected, Rows.of(c, perTrace));
    }
    assertEquals(38L, written.get("blocks"));

    // written again over the first: replaced, not doubled
    try (Connection c = Store.open(KnownTrace.shared(), true)) {
      ParquetExport.writeDataset(c, dir);
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      assertEquals(List.of("33"), Rows.of(c, "SELECT count(*) FROM read_parquet('" + dir + "/branches/**/*.parquet')"));
    }
  }

  /**
   * Types every engine reads exactly: an address above 2^63 as DECIMAL(20,0) (Parquet's unsigned
   * INT64 reads negative in engines without an unsigned type), the narrower unsigned types wider
   * and signed, nanosecond times as microseconds, UUIDs as text; and a view that presents ids
   * storage under a table's name is written by that name, its storage not at all.
   */
  @Test
  void addressesAndOtherTypesAreWrittenAsEveryEngineReadsThem() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      c.createStatement().execute("""
          CREATE TABLE segments (segment_id BIGINT, trace_id INTEGER, ip UBIGINT, pid UINTEGER, small USMALLINT,
            tiny UTINYINT, time_utc TIMESTAMP_NS, guid UUID);
          INSERT INTO segments VALUES
            (1, 1, 18446735277920802424, 4294967295, 65535, 255, '2024-05-01 12:00:00.123456789', '1d3eb7ab-82fd-6b5e-4c4c-44205044422e'),
            (2, 1, 18446744073709551615, 0, 0, 0, NULL, NULL),
            (3, 2, 140737488355327, 7, 7, 7, '1970-01-01 00:00:00', NULL);
          CREATE TABLE block_rows (segment_id BIGINT, seq BIGINT, place_id INTEGER);
          CREATE TABLE places (place_id INTEGER, ip UBIGINT);
          INSERT INTO block_rows VALUES (1, 0, 1), (3, 0, 2);
          INSERT INTO places VALUES (1, 18446735277920802424), (2, 4096);
          CREATE VIEW blocks AS SELECT b.segment_id, b.seq, p.ip AS start_ip FROM block_rows b JOIN places p USING (place_id);
          CREATE VIEW calls AS SELECT * FROM blocks;""");
      Map<String, Long> written = ParquetExport.writeDataset(c, dir);
      assertEquals(List.of("blocks", "segments"), List.copyOf(written.keySet()));
      String segments = "read_parquet('" + dir.resolve("segments") + "/**/*.parquet', hive_partitioning = true)";
      assertEquals(List.of(
              "ip | FIXED_LEN_BYTE_ARRAY | DECIMAL | 20 | 0",
              "pid | INT64 | INT_64 | NULL | NULL",
              "small | INT32 | INT_32 | NULL | NULL",
              "tiny | INT32 | INT_16 | NULL | NULL",
              "time_utc | INT64 | TIMESTAMP_MICROS | NULL | NULL",
              "guid | BYTE_ARRAY | UTF8 | NULL | NULL"),
          Rows.of(c, "SELECT name, type, converted_type, precision, scale FROM parquet_schema('"
              + dir.resolve("segments/trace_id=1/data_0.parquet") + "') WHERE name IN ('ip', 'pid', 'small', 'tiny', 'time_utc', 'guid')"));
      assertEquals(List.of(
              "1 | 1 | 18446735277920802424 | 4294967295 | 65535 | 255 | 2024-05-01 12:00:00.123456 | 1d3eb7ab-82fd-6b5e-4c4c-44205044422e",
              "2 | 1 | 18446744073709551615 | 0 | 0 | 0 | NULL | NULL",
              "3 | 2 | 140737488355327 | 7 | 7 | 7 | 1970-01-01 00:00:00.0 | NULL"),
          Rows.of(c, "SELECT segment_id, trace_id, ip, pid, small, tiny, time_utc, guid FROM " + segments + " ORDER BY segment_id"));
      // read back into DuckDB's own type, the address is the same 64 bits
      assertEquals(List.of("true"), Rows.of(c, "SELECT bool_and(d.ip::UBIGINT = s.ip) FROM " + segments + " d JOIN segments s USING (segment_id)"));
      assertEquals(List.of("1 | 0 | 18446735277920802424 | 1", "3 | 0 | 4096 | 2"), Rows.of(c,
          "SELECT segment_id, seq, start_ip, trace_id FROM read_parquet('" + dir.resolve("blocks") + "/**/*.parquet', hive_partitioning = true) ORDER BY 1"));
    }
  }
}
