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

  private final ResultFormat format;
  private final int width;
  private final long maxRows;
  private final String moreHint;
  private boolean rawNumbers;

  /**
   * @param width the terminal width a table must fit (columns are cut, never below a few
   *     characters)
   * @param maxRows rows shown in a table before "... n more rows"; the other formats print all
   */
  public ResultPrinter(ResultFormat format, int width, long maxRows) {
    this(format, width, maxRows, "use --format csv or LIMIT for the rest");
  }

  /** @param moreHint how to see every row, for the "... n more rows" note (the shell names .mode csv) */
  public ResultPrinter(ResultFormat format, int width, long maxRows, String moreHint) {
    this.format = format;
    this.width = width;
    this.maxRows = maxRows;
    this.moreHint = moreHint;
  }

  /** A printer for standard output, {@code width} columns wide, showing at most 1000 rows. */
  public static ResultPrinter forTerminal(ResultFormat format, int width) {
    return new ResultPrinter(format, width, 1000);
  }

  /**
   * Addresses as numbers in CSV, TSV and JSON too (by default they are {@code 0x…} text there,
   * as in tables: a kernel address above 2^63 read back by DuckDB's CSV sniffer becomes a
   * DOUBLE and its JSON reader refuses it; hex text casts back with {@code ::UBIGINT}).
   */
  public ResultPrinter rawNumbers(boolean raw) {
    this.rawNumbers = raw;
    return this;
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
    return cell(rs, cols, i, hex, false);
  }

  /**
   * A cell's text: addresses as 0x… when {@code hex}; a function_offset column as +0x… when
   * {@code offsets} (tables: the one way offsets print, as in name+0x2d6).
   */
  private static String cell(ResultSet rs, Columns cols, int i, boolean hex, boolean offsets) throws SQLException {
    if (offsets && cols.names()[i].equalsIgnoreCase("function_offset") && cols.numeric()[i]) {
      long v = rs.getLong(i + 1);
      return rs.wasNull() ? null : v < 0 ? "-0x" + Long.toHexString(-v) : "+0x" + Long.toHexString(v);
    }
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
        String s = cell(rs, cols, i, true, true);
        r[i] = s == null ? "NULL" : s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
      }
      rows.add(r);
    }
    int[] w = new int[n];
    for (int i = 0; i < n; i++) w[i] = length(cols.names()[i]);
    for (String[] r : rows) for (int i = 0; i < n; i++) w[i] = Math.max(w[i], length(r[i]));
    boolean[] text = new boolean[n];
    for (int i = 0; i < n; i++) text[i] = !(cols.numeric()[i] || cols.address()[i]);
    int shown = fit(w, text, width);
    StringBuilder sep = new StringBuilder();
    for (int i = 0; i < shown; i++) sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
    out.println(line(cols.names(), w, cols.numeric(), shown));
    out.println(sep);
    for (String[] r : rows) out.println(line(r, w, cols.numeric(), shown));
    if (shown < n) {
      out.println("(" + (n - shown) + " more column" + (n - shown == 1 ? "" : "s") + " not shown: "
          + String.join(", ", java.util.Arrays.copyOfRange(cols.names(), shown, n)) + ")");
    }
    if (total > rows.size()) {
      out.println("... " + (total - rows.size()) + " more rows (" + total + " in all; " + moreHint + ")");
    } else {
      out.println("(" + total + (total == 1 ? " row)" : " rows)"));
    }
    return total;
  }

  /** Characters as a terminal counts them (code points: "…" is one). */
  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /** Columns narrower than this are cut only when nothing else is left to cut. */
  private static final int TEXT_FLOOR = 4;

  /**
   * Narrows the columns until a row fits {@code width}; returns how many columns (from the left)
   * are shown. The widest text columns shrink first, all to one cap, so a short column keeps
   * its text while a long path is cut; only when every text column is down to a few characters
   * are numbers and addresses cut too (with "…", so a cut number never passes for a whole one);
   * and only when even one character per column does not fit are the last columns left out.
   */
  static int fit(int[] w, boolean[] text, int width) {
    int n = w.length;
    boolean[] all = new boolean[n];
    java.util.Arrays.fill(all, true);
    for (int shown = n; shown > 0; shown--) {
      int available = width - 3 * (shown - 1);
      int[] t = java.util.Arrays.copyOf(w, shown);
      if (cap(t, text, TEXT_FLOOR, available) || cap(t, all, 1, available)) {
        System.arraycopy(t, 0, w, 0, shown);
        return shown;
      }
    }
    w[0] = Math.max(1, Math.min(w[0], width));
    return 1;
  }

  /**
   * Lowers the widths of the {@code eligible} columns to one cap (never below {@code floor},
   * never raising a narrower column) so that their sum fits {@code available}; spare columns of
   * the cap go back to the widest. False, with every eligible column at its floor, when even
   * that does not fit.
   */
  private static boolean cap(int[] w, boolean[] eligible, int floor, int available) {
    int sum = 0;
    for (int x : w) sum += x;
    if (sum <= available) return true;
    int lo = floor, hi = 0;
    for (int i = 0; i < w.length; i++) if (eligible[i]) hi = Math.max(hi, w[i]);
    if (hi <= floor) return false;
    if (capped(w, eligible, lo) > available) {
      for (int i = 0; i < w.length; i++) if (eligible[i]) w[i] = Math.min(w[i], floor);
      return false;
    }
    while (lo < hi) { // the largest cap that fits
      int mid = (lo + hi + 1) >>> 1;
      if (capped(w, eligible, mid) <= available) lo = mid;
      else hi = mid - 1;
    }
    int spare = available - capped(w, eligible, lo);
    for (int i = 0; i < w.length; i++) {
      if (!eligible[i] || w[i] <= lo) continue;
      w[i] = lo;
      if (spare > 0) { // the cap + 1 did not fit for all of them, but fits for some
        w[i]++;
        spare--;
      }
    }
    return true;
  }

  private static int capped(int[] w, boolean[] eligible, int cap) {
    int sum = 0;
    for (int i = 0; i < w.length; i++) sum += eligible[i] ? Math.min(w[i], cap) : w[i];
    return sum;
  }

  private static String line(String[] cells, int[] w, boolean[] right, int shown) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shown; i++) {
      if (i > 0) sb.append(" | ");
      String s = cells[i];
      int len = length(s);
      if (len > w[i]) {
        s = s.substring(0, s.offsetByCodePoints(0, Math.max(0, w[i] - 1))) + "…";
        len = w[i];
      }
      String pad = " ".repeat(w[i] - len);
      if (right[i]) sb.append(pad).append(s);
      else sb.append(s).append(i == shown - 1 ? "" : pad);
    }
    return sb.toString();
  }

  private long delimited(ResultSet rs, Columns cols, PrintWriter out, char sep) throws SQLException {
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
        String s = cell(rs, cols, i, !rawNumbers);
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

  /**
   * A JSON array with one object per line, tab-indented: the shape {@code iptq export --format
   * json} writes (DuckDB's {@code COPY … (FORMAT json, ARRAY true)}), so both read alike.
   */
  private long json(ResultSet rs, Columns cols, PrintWriter out) throws SQLException {
    int n = cols.count();
    long rows = 0;
    out.print("[\n");
    StringBuilder sb = new StringBuilder();
    while (rs.next()) {
      sb.setLength(0);
      sb.append(rows == 0 ? "\t{" : ",\n\t{");
      for (int i = 0; i < n; i++) {
        if (i > 0) sb.append(',');
        JsonText.quote(sb, cols.names()[i]);
        sb.append(':');
        String s = cell(rs, cols, i, !rawNumbers);
        if (s == null) sb.append("null");
        else if (cols.types()[i].equals("BOOLEAN")) sb.append(s);
        else if (cols.numeric()[i] && !(cols.address()[i] && !rawNumbers) && isJsonNumber(s)) sb.append(s);
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
