package iptq.view;

import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folded stacks ({@code process;outer;...;inner N}), the input of flamegraph.pl and inferno:
 * N is the instructions run in the innermost function itself with that stack, summed over
 * the picked segments. The process is the root frame.
 */
public final class Folded {
  private Folded() {}

  /** Writes the stacks, sorted; returns the number of lines. */
  public static long write(Connection conn, List<SegmentInfo> segments, Writer out) throws Exception {
    Map<String, Long> stacks = new TreeMap<>();
    FlowReader.read(conn, segments, flow -> add(flow, stacks));
    for (Map.Entry<String, Long> e : stacks.entrySet()) {
      out.write(e.getKey());
      out.write(' ');
      out.write(Long.toString(e.getValue()));
      out.write('\n');
    }
    out.flush();
    return stacks.size();
  }

  static void add(SegmentFlow flow, Map<String, Long> stacks) {
    List<Frame> frames = flow.frames();
    int[] parent = Nesting.parents(frames);
    long[] self = Nesting.self(frames, parent);
    String[] path = new String[frames.size()];
    String root = clean(flow.info().processLabel());
    for (int i = 0; i < frames.size(); i++) {
      path[i] = (parent[i] < 0 ? root : path[parent[i]]) + ";" + clean(frames.get(i).name());
      if (self[i] > 0) stacks.merge(path[i], self[i], Long::sum);
    }
  }

  /** A frame name as one folded field: no separator, no line break, no trailing count. */
  static String clean(String name) {
    return name.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
  }
}
