package iptq.store;

import iptq.InputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;

/**
 * Writes a table, view or query to a file with DuckDB's own writers: {@code COPY ... TO} for
 * CSV, Parquet and JSON (newline-delimited), and DuckDB's Arrow export for Arrow IPC files.
 */
public final class Export {
  public enum Format { CSV, PARQUET, JSON, ARROW }

  private static final int ARROW_BATCH_ROWS = 65_536;

  private Export() {}

  public static Format format(String s) {
    try {
      return Format.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InputException(null, -1, "unknown export format '" + s + "' (csv, parquet, json, arrow)");
    }
  }

  /**
   * The query for {@code what}: a table or view of the database by name, else {@code what}
   * itself as a SELECT (the user's own SQL).
   */
  public static String query(Connection conn, String what) throws SQLException {
    String w = what.strip();
    if (w.endsWith(";")) w = w.substring(0, w.length() - 1).strip();
    if (w.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
      // one word is a table's name, never SQL: a mistyped name gets iptq's line, not a parser error
      List<String> names = relations(conn);
      for (String n : names) if (n.equalsIgnoreCase(w)) return "SELECT * FROM " + identifier(n);
      throw new InputException(null, -1, "no table or view called '" + w + "'" + DidYouMean.suffix(w, names)
          + "; the tables and views are: " + String.join(", ", names));
    }
    return w;
  }

  /** The tables and views of the database, by name. */
  static List<String> relations(Connection conn) throws SQLException {
    List<String> names = new java.util.ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(SqlResource.read("sql/relations.sql"))) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }


  /**
   * Writes the rows of {@code query} to {@code out}, addresses in CSV and JSON as {@code 0x…}
   * text; returns the number of rows written.
   */
  public static long write(Connection conn, String query, Format format, Path out) throws SQLException, IOException {
    return write(conn, query, format, out, false);
  }

  /**
   * Writes the rows of {@code query} to {@code out}; returns the number of rows written. CSV and
   * JSON get the address columns ({@link ResultPrinter#isAddress}) as {@code 0x…} text unless
   * {@code rawNumbers}: a UBIGINT above 2^63 is read back by DuckDB's CSV sniffer as a DOUBLE
   * (losing bits) and refused by its JSON reader, while hex text casts back with
   * {@code ::UBIGINT}. Parquet and Arrow keep their uint64 type.
   */
  public static long write(Connection conn, String query, Format format, Path out, boolean rawNumbers)
      throws SQLException, IOException {
    if (!rawNumbers && (format == Format.CSV || format == Format.JSON)) query = addressesAsHex(conn, query);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    if (format == Format.ARROW) return arrow(conn, query, out);
    String options = switch (format) {
      case CSV -> "FORMAT csv, HEADER true";
      case PARQUET -> "FORMAT parquet, COMPRESSION zstd";
      case JSON -> "FORMAT json, ARRAY true";
      case ARROW -> throw new AssertionError();
    };
    return copy(conn, query, out, options);
  }

  /** {@code query} with each address column replaced by its {@code 0x…} text (lower-case hex, as tables print it). */
  static String addressesAsHex(Connection conn, String query) throws SQLException {
    List<String> replace = new java.util.ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(query)) {
      java.sql.ResultSetMetaData md = ps.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String name = md.getColumnLabel(i);
        if (ResultPrinter.isAddress(name, md.getColumnTypeName(i))) {
          replace.add("printf('0x%x', " + identifier(name) + ") AS " + identifier(name));
        }
      }
    }
    if (replace.isEmpty()) return query;
    return "SELECT * REPLACE (" + String.join(", ", replace) + ") FROM (" + query + ") AS exported";
  }

  /** {@code COPY (query) TO 'file' (options)}; the path is a quoted SQL literal. */
  static long copy(Connection conn, String query, Path file, String options) throws SQLException {
    String sql = "COPY (" + query + ") TO " + literal(file.toAbsolutePath().toString()) + " (" + options + ")";
    try (Statement st = conn.createStatement()) {
      st.execute(sql);
      return st.getUpdateCount();
    }
  }

  private static long arrow(Connection conn, String query, Path out) throws SQLException, IOException {
    long rows = 0;
    try (BufferAllocator allocator = new RootAllocator();
        PreparedStatement ps = conn.prepareStatement(query);
        ResultSet rs = ps.executeQuery();
        ArrowReader reader = (ArrowReader) rs.unwrap(DuckDBResultSet.class)
            .arrowExportStream(allocator, ARROW_BATCH_ROWS);
        FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        ArrowFileWriter writer = new ArrowFileWriter(reader.getVectorSchemaRoot(), null, ch)) {
      writer.start();
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
        writer.writeBatch();
      }
      writer.end();
    }
    return rows;
  }

  /** A SQL string literal: single quotes doubled, so any path is one literal. */
  public static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** A quoted SQL identifier. */
  public static String identifier(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
