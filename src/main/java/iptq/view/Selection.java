package iptq.view;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Which segments a picture shows: by id, trace, process, thread and event time (ns since the
 * trace start, inclusive); a null field means any. Bound as DuckDB variables, never pasted into
 * SQL text.
 */
public record Selection(List<Long> segments, Integer trace, Integer pid, Integer tid, Long from, Long to) {
  public static final Selection ALL = new Selection(List.of(), null, null, null, null, null);

  public Selection {
    segments = segments == null ? List.of() : List.copyOf(segments);
  }

  public static Selection segment(long id) {
    return new Selection(List.of(id), null, null, null, null, null);
  }

  /** Sets the {@code v_*} variables that {@code view/segments.sql} reads. */
  void bind(Connection conn) throws SQLException {
    set(conn, "v_segments", segments.isEmpty() ? new Long[0] : segments.toArray(new Long[0]));
    set(conn, "v_trace", trace);
    set(conn, "v_pid", pid);
    set(conn, "v_tid", tid);
    set(conn, "v_from", from);
    set(conn, "v_to", to);
  }

  static void set(Connection conn, String name, Object value) throws SQLException {
    if (value instanceof Long[] ids) {
      // DuckDB's JDBC driver binds no arrays; a list literal of numbers is safe to write out.
      StringBuilder sb = new StringBuilder("SET VARIABLE " + name + " = [");
      for (int i = 0; i < ids.length; i++) sb.append(i == 0 ? "" : ", ").append(ids[i].longValue());
      try (var st = conn.createStatement()) {
        st.execute(sb.append("]::BIGINT[]").toString());
      }
      return;
    }
    String type = value instanceof Integer ? "INTEGER" : "BIGINT";
    try (PreparedStatement ps = conn.prepareStatement("SET VARIABLE " + name + " = ?::" + type)) {
      if (value == null) ps.setNull(1, java.sql.Types.BIGINT);
      else ps.setObject(1, value);
      ps.execute();
    }
  }
}
