package iptq.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills the tables of {@code schema/50-derived.sql} from the decode tables. Runs once, after the
 * decoders have loaded every block and before the database is committed: a visit to a function
 * spans many blocks, and finding where visits begin needs an ordered pass over all blocks of a
 * segment, too slow to repeat in every query over tens of millions of rows.
 */
public final class Derived {
  private Derived() {}

  public static void fill(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("DELETE FROM function_runs");
      st.execute(SqlResource.read("derive/function_runs.sql"));
    }
  }
}
