package iptq.store;

import iptq.table.JsonText;
import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prints a result set as an aligned table (for a terminal: addresses in hex, wide columns cut
 * to fit the width) or as CSV, TSV or JSON (for programs: every row, values as DuckDB gives
 * them).
 */
public final class ResultPrinter {
  /** UBIGINT columns with these names hold addresses, and print as 0x... in tables. */
  private static final Pattern ADDRESS =
      Pattern.compile("(ip|.*_ip|base|.*_base|.*address|.*_addr|addr)", Pattern.CASE_INSENSITIVE);
  private static final Set<String> NUMERIC = Set.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT",
      "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
      "DECIMAL");
  private static final int MIN_WIDTH = 8;

  private final ResultFormat format;
  private final int width;
  private final long maxRows;

  /**
   * @param width the terminal width a table must fit (columns are cut, never below a few
   *     characters)
   * @param maxRows rows shown in a table before "... n more rows"; the other formats print all
   */
  public ResultPrinter(ResultFormat format, int width, long maxRows) {
    this.format = format;
    this.width = width;
    this.maxRows = maxRows;
  }

  /** A printer for standard output, {@code width} columns wide, showing at most 1000 rows. */
  public static ResultPrinter forTerminal(ResultFormat format, int width) {
    return new ResultPrinter(format, width, 1000);
  }

  /** True for a column that holds addresses: UBIGINT named ip, *_ip, base, *_base, *address. */
  public static boolean isAddress(String name, String type) {
    return type.equals("UBIGINT") && ADDRESS.matcher(name).matches();
  }

  public int width() {
    return width;
  }

  /** Prints every row (tables: up to maxRows); returns the number of rows in the result. */
  public long print(ResultSet rs, PrintWriter out) throws SQLException {
    Columns cols = new Columns(rs.getMetaData());
    long n = switch (format) {
      case TABLE -> table(rs, cols, out);
      case CSV -> delimited(rs, cols, out, ',');
      case TSV -> delimited(rs, cols, out, '\t');
      case JSON -> json(rs, cols, out);
    };
    out.flush();
    return n;
  }

  private record Columns(int count, String[] names, String[] types, boolean[] numeric, boolean[] address) {
    Columns(ResultSetMetaData md) throws SQLException {
      this(md.getColumnCount(), new String[md.getColumnCount()], new String[md.getColumnCount()],
          new boolean[md.getColumnCount()], new boolean[md.getColumnCount()]);
      for (int i = 0; i < count; i++) {
        names[i] = md.getColumnLabel(i + 1);
        String t = md.getColumnTypeName(i + 1);
        int paren = t.indexOf('(');
        types[i] = paren < 0 ? t : t.substring(0, paren);
        numeric[i] = NUMERIC.contains(types[i]);
        address[i] = types[i].equals("UBIGINT") && ADDRESS.matcher(names[i]).matches();
      }
    }
  }

  private static String cell(ResultSet rs, Columns cols, int i, boolean hex) throws SQLException {
    if (hex && cols.address()[i]) {
      Object o = rs.getObject(i + 1);
      if (o == null) return null;
      return "0x" + new java.math.BigInteger(o.toString()).toString(16);
    }
    return rs.getString(i + 1);
  }

  private long table(ResultSet rs, Columns cols, PrintWriter out) throws SQLException {
    int n = cols.count();
    List<String[]> rows = new ArrayList<>();
    long total = 0;
    while (rs.next()) {
      total++;
      if (rows.size() >= maxRows) continue;
      String[] r = new String[n];
      for (int i = 0; i < n; i++) {
        String s = cell(rs, cols, i, true);
        r[i] = s == null ? "NULL" : s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
      }
      rows.add(r);
    }
    int[] w = new int[n];
    for (int i = 0; i < n; i++) w[i] = cols.names()[i].length();
    for (String[] r : rows) for (int i = 0; i < n; i++) w[i] = Math.max(w[i], r[i].length());
    boolean[] fixed = new boolean[n];
    for (int i = 0; i < n; i++) fixed[i] = cols.numeric()[i] || cols.address()[i];
    fit(w, fixed);
    StringBuilder sep = new StringBuilder();
    for (int i = 0; i < n; i++) sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
    out.println(line(cols.names(), w, cols.numeric()));
    out.println(sep);
    for (String[] r : rows) out.println(line(r, w, cols.numeric()));
    if (total > rows.size()) {
      out.println("... " + (total - rows.size()) + " more rows (" + total
          + " in all; use --format csv or LIMIT for the rest)");
    } else {
      out.println("(" + total + (total == 1 ? " row)" : " rows)"));
    }
    return total;
  }

  /**
   * Narrows the widest text columns until the row fits the terminal (or every text column is
   * narrow); numbers and addresses are never cut.
   */
  private void fit(int[] w, boolean[] fixed) {
    int total = 3 * Math.max(0, w.length - 1);
    for (int x : w) total += x;
    while (total > width) {
      int widest = -1;
      for (int i = 0; i < w.length; i++) if (!fixed[i] && (widest < 0 || w[i] > w[widest])) widest = i;
      if (widest < 0 || w[widest] <= MIN_WIDTH) break;
      int second = 0;
      for (int i = 0; i < w.length; i++) if (i != widest && !fixed[i]) second = Math.max(second, w[i]);
      int cut = Math.min(total - width, w[widest] - Math.max(MIN_WIDTH, second - 1));
      cut = Math.max(1, cut);
      w[widest] -= cut;
      total -= cut;
    }
  }

  private static String line(String[] cells, int[] w, boolean[] right) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) sb.append(" | ");
      String s = cells[i];
      if (s.length() > w[i]) s = s.substring(0, Math.max(0, w[i] - 1)) + "…";
      String pad = " ".repeat(w[i] - s.length());
      if (right[i]) sb.append(pad).append(s);
      else sb.append(s).append(i == cells.length - 1 ? "" : pad);
    }
    return sb.toString();
  }

  private static long delimited(ResultSet rs, Columns cols, PrintWriter out, char sep) throws SQLException {
    int n = cols.count();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) sb.append(sep);
      sb.append(escape(cols.names()[i], sep));
    }
    out.println(sb);
    long rows = 0;
    while (rs.next()) {
      sb.setLength(0);
      for (int i = 0; i < n; i++) {
        if (i > 0) sb.append(sep);
        String s = rs.getString(i + 1);
        if (s != null) sb.append(escape(s, sep));
      }
      out.println(sb);
      rows++;
    }
    return rows;
  }

  /** CSV quoting as RFC 4180; TSV with backslash escapes, as DuckDB and Postgres write it. */
  private static String escape(String s, char sep) {
    if (sep == '\t') {
      return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static long json(ResultSet rs, Columns cols, PrintWriter out) throws SQLException {
    int n = cols.count();
    long rows = 0;
    out.print("[");
    StringBuilder sb = new StringBuilder();
    while (rs.next()) {
      sb.setLength(0);
      sb.append(rows == 0 ? "\n" : ",\n").append('{');
      for (int i = 0; i < n; i++) {
        if (i > 0) sb.append(',');
        JsonText.quote(sb, cols.names()[i]);
        sb.append(':');
        String s = rs.getString(i + 1);
        if (s == null) sb.append("null");
        else if (cols.types()[i].equals("BOOLEAN")) sb.append(s);
        else if (cols.numeric()[i] && isJsonNumber(s)) sb.append(s);
        else JsonText.quote(sb, s);
      }
      sb.append('}');
      out.print(sb);
      rows++;
    }
    out.println(rows == 0 ? "]" : "\n]");
    return rows;
  }

  private static boolean isJsonNumber(String s) {
    return s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  }
}
