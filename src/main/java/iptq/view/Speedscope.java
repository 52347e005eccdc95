package iptq.view;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.OutputStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json): one evented
 * profile per segment, its frames opened and closed in nesting order. A segment with timing
 * packets is in nanoseconds (the time estimate since the trace start); one without is in
 * instructions (unit "none"). The shared frame table follows the profiles in the file, since
 * frames are found as the segments stream by (a JSON object's members have no order).
 */
public final class Speedscope {
  public static final String SCHEMA = "https://www.speedscope.app/file-format-schema.json";

  private Speedscope() {}

  /** Writes one profile per segment of {@code segments}; {@code note} (or null) says what the file leaves out. */
  public static long write(Connection conn, List<SegmentInfo> segments, String note, OutputStream out, String version,
      String name) throws Exception {
    Map<String, Integer> index = new HashMap<>();
    List<String[]> frames = new ArrayList<>();
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("$schema", SCHEMA);
      // speedscope shows the name in its title: the one place a note is seen there
      g.writeStringField("name", note == null ? name : name + " (" + note.substring(0, note.indexOf(" are in")) + ")");
      g.writeStringField("exporter", "iptq " + version);
      g.writeNumberField("activeProfileIndex", 0);
      g.writeArrayFieldStart("profiles");
      FlowReader.read(conn, segments, flow -> {
        SegmentInfo s = flow.info();
        Clock clock = flow.clock();
        long n = flow.instructions();
        g.writeStartObject();
        g.writeStringField("type", "evented");
        g.writeStringField("name", s.title() + " · " + s.processLabel() + (s.tid() != null ? " tid " + s.tid() : "")
            + (clock == null ? " (instructions)" : ""));
        g.writeStringField("unit", clock == null ? "none" : "nanoseconds");
        g.writeNumberField("startValue", clock == null ? 0 : Math.round(clock.at(0)));
        g.writeNumberField("endValue", clock == null ? n : Math.round(clock.at(n)));
        g.writeArrayFieldStart("events");
        List<Frame> fs = flow.frames();
        int[] open = new int[fs.size()];
        int top = 0;
        for (int i = 0; i < fs.size(); i++) {
          Frame f = fs.get(i);
          while (top > 0 && fs.get(open[top - 1]).depth() >= f.depth()) event(g, "C", fs.get(open[--top]), clock, false, index, frames);
          event(g, "O", f, clock, true, index, frames);
          open[top++] = i;
        }
        while (top > 0) event(g, "C", fs.get(open[--top]), clock, false, index, frames);
        g.writeEndArray();
        g.writeEndObject();
      });
      g.writeEndArray();
      g.writeObjectFieldStart("shared");
      g.writeArrayFieldStart("frames");
      for (String[] f : frames) {
        g.writeStartObject();
        g.writeStringField("name", f[0]);
        if (f[1] != null) g.writeStringField("file", f[1]);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
    return segments.size();
  }

  private static void event(JsonGenerator g, String type, Frame f, Clock clock, boolean opening,
      Map<String, Integer> index, List<String[]> frames) throws java.io.IOException {
    String key = f.module() + "!" + f.name();
    Integer i = index.get(key);
    if (i == null) {
      i = frames.size();
      index.put(key, i);
      frames.add(new String[] {f.name(), f.module()});
    }
    long pos = opening ? f.start() : f.end();
    g.writeStartObject();
    g.writeStringField("type", type);
    g.writeNumberField("frame", i);
    g.writeNumberField("at", clock == null ? pos : Math.round(clock.at(pos)));
    g.writeEndObject();
  }
}
