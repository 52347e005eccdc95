package iptq.view;

import iptq.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** The bundled sample's database, as {@code iptq demo -o} writes it; made once per test JVM. */
public final class SampleDatabase {
  private static Path db;

  private SampleDatabase() {}

  public static synchronized Path path() throws Exception {
    if (db != null) return db;
    Path dir = Files.createTempDirectory("iptq-view-sample");
    dir.toFile().deleteOnExit();
    Path p = dir.resolve("sample.duckdb");
    StringWriter out = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int rc = cl.execute("demo", "-o", p.toString());
    if (rc != 0) throw new IllegalStateException("iptq demo failed (" + rc + "):\n" + out);
    p.toFile().deleteOnExit();
    db = p;
    return db;
  }

  static Connection open() throws Exception {
    return iptq.store.Store.open(path(), true);
  }

  static java.util.Set<String> strings(Connection conn, String sql) throws SQLException {
    java.util.Set<String> out = new java.util.TreeSet<>();
    try (var st = conn.createStatement(); var rs = st.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  static long number(Connection conn, String sql) throws SQLException {
    try (var st = conn.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Caller/callee pairs the decode itself shows, independent of the stack walk: each call (from
   * the {@code calls} view), each return read backwards (the function returned into called the
   * one returning), and each far transfer into the kernel.
   */
  static java.util.Set<String> callPairs(Connection conn) throws SQLException {
    return strings(conn, """
        SELECT caller || ' > ' || callee FROM calls WHERE caller IS NOT NULL AND callee IS NOT NULL
        UNION
        SELECT regexp_replace(to_function, '\\+0x[0-9a-f]+$', '') || ' > ' || regexp_replace(from_function, '\\+0x[0-9a-f]+$', '')
        FROM branches WHERE kind IN ('ret', 'ret.compressed') AND to_function IS NOT NULL AND from_function IS NOT NULL
        UNION
        SELECT regexp_replace(from_function, '\\+0x[0-9a-f]+$', '') || ' > ' || regexp_replace(to_function, '\\+0x[0-9a-f]+$', '')
        FROM branches WHERE kind = 'far' AND from_ip < 9223372036854775808::UBIGINT AND to_ip >= 9223372036854775808::UBIGINT
        """);
  }
}
