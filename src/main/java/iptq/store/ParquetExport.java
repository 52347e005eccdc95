package iptq.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes every table of an iptq database as a Parquet dataset, one directory per table,
 * partitioned Hive-style by trace ({@code DIR/branches/trace_id=1/data_0.parquet}), for Spark,
 * Trino or DuckDB to read when one machine is not enough. Tables without a trace_id column get
 * it through their segment_id (segments) or module_id (modules); {@code meta} is one file.
 * DuckDB writes the files ({@code COPY ... (FORMAT parquet, PARTITION_BY (trace_id))}).
 */
public final class ParquetExport {
  private ParquetExport() {}

  /**
   * Writes the dataset under {@code dir} (created if needed; an existing table directory is
   * replaced). Returns the rows written per table, in name order.
   */
  public static Map<String, Long> writeDataset(Connection conn, Path dir) throws SQLException, IOException {
    Files.createDirectories(dir);
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String table : tables(conn)) {
      List<String> cols = columns(conn, table);
      String t = Export.identifier(table);
      String query;
      if (cols.contains("trace_id")) {
        query = "SELECT * FROM " + t;
      } else if (cols.contains("segment_id") && !table.equals("segments")) {
        query = "SELECT x.*, s.trace_id FROM " + t + " x LEFT JOIN segments s ON s.segment_id = x.segment_id";
      } else if (cols.contains("module_id") && !table.equals("modules")) {
        query = "SELECT x.*, m.trace_id FROM " + t + " x LEFT JOIN modules m ON m.module_id = x.module_id";
      } else {
        query = null; // not about one trace (meta)
      }
      Path out = dir.resolve(table);
      long n = count(conn, t);
      if (query == null) {
        Files.createDirectories(out);
        Export.copy(conn, "SELECT * FROM " + t, out.resolve("data_0.parquet"), "FORMAT parquet");
      } else if (n == 0) {
        // PARTITION_BY writes no file for no rows; one empty file keeps the schema readable
        Files.createDirectories(out);
        Export.copy(conn, query, out.resolve("data_0.parquet"), "FORMAT parquet");
      } else {
        Export.copy(conn, query, out,
            "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (trace_id), OVERWRITE true");
      }
      rows.put(table, n);
    }
    return rows;
  }

  /** The base tables of the database (not the views). */
  static List<String> tables(Connection conn) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(SqlResource.read("sql/relations.sql"))) {
      while (rs.next()) if (rs.getString(2).equals("table")) out.add(rs.getString(1));
    }
    return out;
  }

  static List<String> columns(Connection conn, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("sql/columns-of.sql"))) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static long count(Connection conn, String quotedTable) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quotedTable)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
