package iptq.view;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chrome Trace Event JSON, which Perfetto's UI and chrome://tracing open: a process track per
 * process (named by process_name metadata), a thread track per thread, and per segment a slice
 * "segment N · TRIGGER" holding its function frames as nested B/E slices, each decode error as an
 * instant event where it was found, and the triggering event as an instant at the segment's end.
 *
 * <p>The axis: when every picked segment has timing packets, ts is the time estimate (µs since
 * the trace start, interpolated between timing packets by instructions). Otherwise instructions
 * are the axis, one µs on it per instruction, segments laid one after another in event order;
 * {@code otherData.time_axis} says which. An IPT buffer holds the last N KB of execution, so
 * two buffers of one thread can overlap in time: a later segment's slices start where the
 * earlier one's ended on that thread's track, so the track stays properly nested.
 */
public final class ChromeTrace {
  /** Space on the instruction axis between two segments. */
  static final long GAP = 1000;

  private ChromeTrace() {}

  /** Writes the trace of {@code segments}; {@code note} (or null) says what the file leaves out. Returns the segments written. */
  public static long write(Connection conn, List<SegmentInfo> segments, String note, OutputStream out, String version)
      throws Exception {
    boolean timed = !segments.isEmpty() && segments.stream().allMatch(SegmentInfo::timed);
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("displayTimeUnit", "ns");
      g.writeObjectFieldStart("otherData");
      g.writeStringField("producer", "iptq " + version);
      g.writeStringField("time_axis", timed ? "time" : "instructions");
      g.writeStringField("time_axis_note", timed
          ? "ts is the time estimate in µs since the trace start, from the timing packets, interpolated by instructions"
          : "ts counts instructions (1 µs on the axis = 1 instruction), not time: some segments have no timing packets;"
            + " segments are laid out one after another in event order, " + GAP + " apart");
      g.writeNumberField("segments", segments.size());
      if (note != null) g.writeStringField("note", note);
      g.writeEndObject();
      g.writeArrayFieldStart("traceEvents");
      Tracks tracks = new Tracks(g);
      long[] cursor = {0};
      FlowReader.read(conn, segments, flow -> {
        Track t = tracks.of(flow.info());
        Axis axis = timed ? new Axis(flow.clock(), 0) : new Axis(null, cursor[0]);
        cursor[0] += flow.instructions() + GAP;
        double clip = t.end;
        t.end = Math.max(t.end, segment(g, t, flow, axis, clip));
      });
      g.writeEndArray();
      g.writeEndObject();
    }
    return segments.size();
  }

  /** Instruction position to the file's ts (µs). */
  private record Axis(Clock clock, long offset) {
    double ts(long pos) {
      return clock != null ? clock.at(pos) / 1000.0 : offset + pos;
    }
  }

  private record Ev(double ts, char ph, String name, String cat, Object[] args) {}

  /** Writes one segment's events (never before {@code clip}); returns its end on the axis. */
  private static double segment(JsonGenerator g, Track t, SegmentFlow flow, Axis axis, double clip) throws IOException {
    SegmentInfo s = flow.info();
    long n = flow.instructions();
    boolean clipped = clip > axis.ts(0);
    double start = clipped ? clip : axis.ts(0);
    double end = Math.max(start, axis.ts(n));
    List<Ev> evs = new ArrayList<>();
    Object[] segArgs = {
        "segment_id", s.id(), "trigger", s.trigger(), "event_ts_ns", s.ts(), "cpu", s.cpu(),
        "instructions", n, "decode_status", s.status(), "errors", s.errors(),
        "timing", flow.timed() ? "timing packets" : "none: instructions are the axis",
        "clipped_by_earlier_segment", clipped};
    evs.add(new Ev(start, 'B', s.title(), "segment", segArgs));
    // Frames nest by construction; an E for every frame that ends before the next one starts.
    List<Frame> frames = flow.frames();
    int[] open = new int[frames.size()];
    int top = 0;
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      while (top > 0 && frames.get(open[top - 1]).depth() >= f.depth()) end(evs, frames.get(open[--top]), axis, start);
      if (clipped && axis.ts(f.end()) <= start) continue; // shown by the earlier segment
      Object[] args = {"module", f.module(), "instructions", f.insns(), "first_insn", f.start()};
      evs.add(new Ev(Math.max(start, axis.ts(f.start())), 'B', f.name(), "function", args));
      open[top++] = i;
    }
    while (top > 0) end(evs, frames.get(open[--top]), axis, start);
    for (DecodeErrorMark e : flow.errors()) {
      // Placed by the time of the packet before it, else by its byte offset in the buffer.
      double at = e.ts() != null && flow.timed() ? e.ts() / 1000.0
          : axis.ts(s.sizeBytes() > 0 ? Math.min(n, n * e.offset() / s.sizeBytes()) : 0);
      evs.add(new Ev(Math.min(end, Math.max(start, at)), 'i', "decode error: " + e.kind(), "decode_error",
          new Object[] {"message", e.message(), "offset", e.offset(), "ip", e.ip() == null ? null : "0x" + Long.toHexString(e.ip()),
              "skipped_bytes", e.skippedBytes()}));
    }
    evs.add(new Ev(end, 'i', s.trigger() != null ? s.trigger() : "segment end", "trigger",
        new Object[] {"segment_id", s.id(), "event_id", s.triggerEventId(), "event_ts_ns", s.ts()}));
    evs.add(new Ev(end, 'E', s.title(), "segment", segArgs));
    // Stable: B/E keep their nesting order; instants go after the events at their time.
    evs.sort(java.util.Comparator.comparingDouble(Ev::ts));
    for (Ev e : evs) write(g, t, e);
    return end;
  }

  /** The E of a frame repeats its B's name and args: viewers such as speedscope pair them by both. */
  private static void end(List<Ev> evs, Frame f, Axis axis, double start) {
    evs.add(new Ev(Math.max(start, axis.ts(f.end())), 'E', f.name(), "function",
        new Object[] {"module", f.module(), "instructions", f.insns(), "first_insn", f.start()}));
  }

  private static void write(JsonGenerator g, Track t, Ev e) throws IOException {
    g.writeStartObject();
    g.writeStringField("ph", String.valueOf(e.ph()));
    g.writeStringField("name", e.name());
    g.writeStringField("cat", e.cat());
    g.writeNumberField("ts", e.ts());
    g.writeNumberField("pid", t.pid);
    g.writeNumberField("tid", t.tid);
    if (e.ph() == 'i') g.writeStringField("s", "t");
    if (e.args() != null) {
      g.writeObjectFieldStart("args");
      for (int i = 0; i < e.args().length; i += 2) {
        Object v = e.args()[i + 1];
        if (v == null) continue;
        g.writeFieldName((String) e.args()[i]);
        if (v instanceof Number num) g.writeNumber(num.longValue());
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else g.writeString(v.toString());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static final class Track {
    final int pid;
    final int tid;
    double end = Double.NEGATIVE_INFINITY;

    Track(int pid, int tid) {
      this.pid = pid;
      this.tid = tid;
    }
  }

  /**
   * Process and thread tracks, named by metadata events as they first appear. Two recordings may
   * reuse a pid or tid; each (trace, pid) and (trace, tid) gets numbers of its own.
   */
  private static final class Tracks {
    private final JsonGenerator g;
    private final Map<String, Integer> pids = new HashMap<>();
    private final Map<String, Track> threads = new HashMap<>();
    private final java.util.Set<Integer> usedPids = new java.util.HashSet<>();
    private final java.util.Set<Integer> usedTids = new java.util.HashSet<>();

    Tracks(JsonGenerator g) {
      this.g = g;
    }

    Track of(SegmentInfo s) throws IOException {
      String pkey = s.traceId() + "/" + s.pid();
      Integer pid = pids.get(pkey);
      if (pid == null) {
        pid = unique(usedPids, s.pid() != null ? s.pid() : 0);
        pids.put(pkey, pid);
        String name = s.processLabel() + (s.pid() != null ? " (pid " + s.pid() + ", trace " + s.traceId() + ")"
            : " (trace " + s.traceId() + ")");
        meta("process_name", pid, null, name);
        meta("process_sort_index", pid, null, pid);
      }
      String tkey = s.traceId() + "/" + s.pid() + "/" + s.tid();
      Track t = threads.get(tkey);
      if (t == null) {
        t = new Track(pid, unique(usedTids, s.tid() != null ? s.tid() : pid));
        threads.put(tkey, t);
        meta("thread_name", pid, t.tid, s.tid() != null ? "tid " + s.tid() : "no thread");
      }
      return t;
    }

    private static int unique(java.util.Set<Integer> used, int want) {
      int v = want;
      while (!used.add(v)) v = v + 1_000_000;
      return v;
    }

    private void meta(String what, int pid, Integer tid, Object value) throws IOException {
      g.writeStartObject();
      g.writeStringField("ph", "M");
      g.writeStringField("name", what);
      g.writeNumberField("pid", pid);
      if (tid != null) g.writeNumberField("tid", tid);
      g.writeObjectFieldStart("args");
      if (value instanceof Integer i) g.writeNumberField("sort_index", i);
      else g.writeStringField("name", value.toString());
      g.writeEndObject();
      g.writeEndObject();
    }
  }
}
