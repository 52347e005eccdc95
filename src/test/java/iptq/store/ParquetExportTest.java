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
}
