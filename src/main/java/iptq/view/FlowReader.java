package iptq.view;

import iptq.store.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams the picked segments out of the database, a few hundred at a time, and hands each one
 * to the consumer as a {@link SegmentFlow}: only one batch's frames are in memory at once.
 */
public final class FlowReader {
  /** Segments per steps query: the id list stays short and a batch's frames stay small. */
  static final int BATCH = 256;

  /** What a picture does with each segment. */
  @FunctionalInterface
  public interface Sink {
    void segment(SegmentFlow flow) throws Exception;
  }

  private FlowReader() {}

  /** The picked segments' rows, in event order. */
  public static List<SegmentInfo> segments(Connection conn, Selection sel) throws SQLException {
    sel.bind(conn);
    List<SegmentInfo> out = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("view/segments.sql"));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new SegmentInfo(rs.getLong(1), rs.getInt(2), (Long) rs.getObject(3, Long.class),
            (Integer) rs.getObject(4, Integer.class), (Integer) rs.getObject(5, Integer.class),
            (Integer) rs.getObject(6, Integer.class), rs.getString(7), (Long) rs.getObject(8, Long.class),
            rs.getString(9), rs.getLong(10), rs.getLong(11), rs.getInt(12), rs.getLong(13), rs.getLong(14),
            rs.getString(15), rs.getBoolean(16)));
      }
    }
    return out;
  }

  /** Walks {@code segments} (from {@link #segments}) in their order, one consumer call each. */
  public static void read(Connection conn, List<SegmentInfo> segments, Sink sink) throws Exception {
    for (int i = 0; i < segments.size(); i += BATCH) {
      List<SegmentInfo> batch = segments.subList(i, Math.min(segments.size(), i + BATCH));
      List<Long> ids = batch.stream().map(SegmentInfo::id).toList();
      Selection.set(conn, "v_ids", ids.toArray(new Long[0]));
      Map<Long, StackWalk.Walked> walked = walk(conn);
      Map<Long, List<DecodeErrorMark>> errors = errors(conn);
      for (SegmentInfo s : batch) {
        StackWalk.Walked w = walked.getOrDefault(s.id(), new StackWalk().finish());
        List<Frame> frames = w.instructions() == 0 ? List.of() : w.frames();
        sink.segment(new SegmentFlow(s, frames, w.instructions(), w.clock(), errors.getOrDefault(s.id(), List.of())));
      }
    }
  }

  private static Map<Long, StackWalk.Walked> walk(Connection conn) throws SQLException {
    // the batch's names once, then the rows with a name's number: no text to decode per row
    List<String> functions = new ArrayList<>();
    List<String> modules = new ArrayList<>();
    try (var st = conn.createStatement()) {
      st.execute(SqlResource.read("view/names.sql"));
      try (ResultSet rs = st.executeQuery("SELECT name_id, function, module FROM v_names ORDER BY name_id")) {
        while (rs.next()) {
          functions.add(rs.getString(2));
          modules.add(rs.getString(3));
        }
      }
    }
    Map<Long, StackWalk.Walked> out = new HashMap<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("view/steps.sql"))) {
      ps.setFetchSize(8192);
      try (ResultSet rs = ps.executeQuery()) {
        long current = Long.MIN_VALUE;
        StackWalk walk = null;
        while (rs.next()) {
          long seg = rs.getLong(1);
          if (seg != current) {
            if (walk != null) out.put(current, walk.finish());
            walk = new StackWalk();
            current = seg;
          }
          int step = rs.getInt(6);
          int name = rs.getInt(4);
          String function = functions.get(name);
          String module = modules.get(name);
          if (step == 0) {
            long ts = rs.getLong(5);
            walk.block(rs.getLong(3), function, module, rs.wasNull() ? null : ts);
          } else if (step > 0) {
            walk.push(function, module);
          } else {
            walk.pop(function, module);
          }
        }
        if (walk != null) out.put(current, walk.finish());
      }
    }
    return out;
  }

  private static Map<Long, List<DecodeErrorMark>> errors(Connection conn) throws SQLException {
    Map<Long, List<DecodeErrorMark>> out = new HashMap<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("view/errors.sql"));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Object ip = rs.getObject(3);
        out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new DecodeErrorMark(
            rs.getLong(2), ip == null ? null : ((Number) ip).longValue(), rs.getString(4), rs.getString(5),
            (Long) rs.getObject(6, Long.class), (Long) rs.getObject(7, Long.class)));
      }
    }
    return out;
  }
}
