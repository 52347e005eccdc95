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
import java.util.Set;

/**
 * Writes every table of an iptq database as a Parquet dataset, one directory per table,
 * partitioned Hive-style by trace ({@code DIR/branches/trace_id=1/data_0.parquet}), for Spark,
 * Trino or DuckDB to read when one machine is not enough. Tables without a trace_id column get
 * it through their segment_id (segments) or module_id (modules); {@code meta} is one file.
 * DuckDB writes the files ({@code COPY ... (FORMAT parquet, PARTITION_BY (trace_id))}).
 *
 * <p>The dataset has the tables by the names a user queries: where the database keeps a table as
 * ids behind a view of that name ({@code blocks} over {@code block_rows}, …), the view is written
 * and its storage table is not.
 *
 * <p>Column types are ones every engine reads exactly (docs/formats.md § The Parquet dataset):
 * Parquet's unsigned 64-bit integer, as DuckDB writes UBIGINT, is read by Spark as DECIMAL(20,0)
 * but by other readers as a signed BIGINT (a kernel address 0xfffff8… then reads negative), so
 * addresses are written as DECIMAL(20,0), which holds every 64-bit value and which Spark, Trino
 * and DuckDB all read as the same number; the narrower unsigned types become the next wider
 * signed ones. Spark reads no nanosecond timestamps, so TIMESTAMP_NS becomes TIMESTAMP
 * (microseconds; the exact nanoseconds stay in the {@code ts} columns), and UUID (Parquet's
 * logical UUID, unknown to Spark) its text.
 */
public final class ParquetExport {
  private ParquetExport() {}

  /**
   * Writes the dataset under {@code dir} (created if needed; an existing table directory is
   * replaced). Returns the rows written per table, in name order.
   */
  /**
   * Writes the dataset of the finished database {@code db}, read-only, within the ingest's
   * memory budget for DuckDB ({@link MemoryBudget}). Ingest calls it after its commit: before,
   * the uncommitted rows of the whole ingest held that budget and the partitioned writes ran out
   * of memory.
   */
  public static Map<String, Long> writeDataset(Path db, Path dir) throws SQLException, IOException {
    try (Connection c = Store.open(db, true)) {
      try (Statement st = c.createStatement()) {
        for (String set : SqlScript.statements(MemoryBudget.of().sql())) st.execute(set);
      }
      return writeDataset(c, dir);
    }
  }

  public static Map<String, Long> writeDataset(Connection conn, Path dir) throws SQLException, IOException {
    Files.createDirectories(dir);
    // A dataset's rows have no order to keep (readers sort), and keeping it makes DuckDB hold
    // whole row groups of every partition: more than the ingest's memory budget leaves it.
    String order = setting(conn, "preserve_insertion_order");
    try (Statement st = conn.createStatement()) {
      st.execute("SET preserve_insertion_order = false");
    }
    try {
      return write(conn, dir);
    } finally {
      try (Statement st = conn.createStatement()) {
        st.execute("SET preserve_insertion_order = " + order);
      }
    }
  }

  private static String setting(Connection conn, String name) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT current_setting(?)::VARCHAR")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static Map<String, Long> write(Connection conn, Path dir) throws SQLException, IOException {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String table : relations(conn)) {
      Map<String, String> types = columns(conn, table);
      String t = Export.identifier(table);
      String x = select(types);
      String query;
      if (types.containsKey("trace_id")) {
        query = "SELECT " + x + " FROM " + t + " x";
      } else if (types.containsKey("segment_id") && !table.equals("segments")) {
        query = "SELECT " + x + ", s.trace_id FROM " + t + " x LEFT JOIN segments s ON s.segment_id = x.segment_id";
      } else if (types.containsKey("module_id") && !table.equals("modules")) {
        query = "SELECT " + x + ", m.trace_id FROM " + t + " x LEFT JOIN modules m ON m.module_id = x.module_id";
      } else {
        query = null; // not about one trace (meta)
      }
      Path out = dir.resolve(table);
      long n = count(conn, t);
      if (query == null) {
        Files.createDirectories(out);
        Export.copy(conn, "SELECT " + x + " FROM " + t + " x", out.resolve("data_0.parquet"), "FORMAT parquet");
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

  /** The views that stand for a table of the user's schema, its rows kept as ids in {@code NAME_rows}-style storage. */
  static final Set<String> TABLE_VIEWS = Set.of("blocks", "branches", "function_runs");

  /** Base tables that only hold ids for the views of {@link #TABLE_VIEWS} (besides {@code *_rows}). */
  static final Set<String> STORAGE = Set.of("places");

  /**
   * What the dataset holds, in name order: the base tables but the storage behind a view
   * ({@code *_rows}, {@link #STORAGE}), and the views of {@link #TABLE_VIEWS}.
   */
  static List<String> relations(Connection conn) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(SqlResource.read("sql/relations.sql"))) {
      while (rs.next()) {
        String name = rs.getString(1);
        boolean table = rs.getString(2).equals("table");
        if (table ? !name.endsWith("_rows") && !STORAGE.contains(name) : TABLE_VIEWS.contains(name)) out.add(name);
      }
    }
    return out;
  }

  /** Column name to DuckDB type, in column order. */
  static Map<String, String> columns(Connection conn, String table) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("sql/columns-of.sql"))) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  /** The select list of table alias x with each column in the type the dataset stores it as. */
  static String select(Map<String, String> types) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> c : types.entrySet()) {
      if (sb.length() > 0) sb.append(", ");
      String col = "x." + Export.identifier(c.getKey());
      String as = portable(c.getValue());
      sb.append(as == null ? col : "CAST(" + col + " AS " + as + ") AS " + Export.identifier(c.getKey()));
    }
    return sb.toString();
  }

  /** The type a column of DuckDB type {@code type} is written as, or null to keep it. */
  static String portable(String type) {
    return switch (type) {
      case "UBIGINT" -> "DECIMAL(20,0)";
      case "UINTEGER" -> "BIGINT";
      case "USMALLINT" -> "INTEGER";
      case "UTINYINT" -> "SMALLINT";
      case "TIMESTAMP_NS" -> "TIMESTAMP";
      case "UUID" -> "VARCHAR";
      default -> null;
    };
  }

  private static long count(Connection conn, String quotedTable) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quotedTable)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
