package iptq.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Completes the tables of {@code schema/50-derived.sql} once the decoders have loaded every
 * segment and before the database is committed. The flow decoder's sink writes a row per visit
 * to a function as blocks stream by; only the count from each segment's end, and the wall-clock times, are left for here.
 */
public final class Derived {
  private Derived() {}

  public static void fill(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      for (String sql : SqlScript.statements(SqlResource.read("derive/function_runs_back.sql"))) st.execute(sql);
    }
  }
}
