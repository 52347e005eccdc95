package iptq.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Query results as text lines ("a | b | NULL"), for exact comparisons in tests. */
public final class Rows {
  private Rows() {}

  public static List<String> of(ResultSet rs) throws SQLException {
    int n = rs.getMetaData().getColumnCount();
    List<String> out = new ArrayList<>();
    while (rs.next()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        if (i > 1) sb.append(" | ");
        String s = rs.getString(i);
        sb.append(s == null ? "NULL" : s);
      }
      out.add(sb.toString());
    }
    return out;
  }

  public static List<String> of(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return of(rs);
    }
  }

  static List<String> lines(String block) {
    List<String> out = new ArrayList<>();
    for (String l : block.split("\n")) if (!l.isBlank()) out.add(l.strip());
    return out;
  }
}
