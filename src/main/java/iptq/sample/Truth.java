package iptq.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The true instruction path beside the sample ({@code truth.txt.gz}): for every IPT event, which
 * instructions decoding its buffer must yield, and for every traced stretch of a thread (from
 * one context switch to the next) the IPs of the traced instructions it ran, in order.
 *
 * <pre>
 * segment FILE.etl TS PID TID TRIGGER STREAM FROM SETTLED TO WRAPPED
 * stream STREAM FIRST COUNT
 * IP (hex), COUNT lines: instructions FIRST .. FIRST+COUNT-1 of the stream
 * </pre>
 *
 * Decoding segment S yields instructions FROM..SETTLED-1 of its stream exactly (SETTLED: just
 * past the last instruction whose outcome the trace holds). Instructions SETTLED..TO-1 ran
 * before the event too, after the last packet: a decoder may walk them, and a little further
 * (straight-line code up to the next branch), or stop at the end of the packets; what it walks
 * is the stream's next instructions.
 */
public final class Truth {
  /** One IPT event's expected decode. */
  public record Segment(String file, long ts, int pid, int tid, String trigger, int stream, int from,
      int settled, int to, boolean wrapped) {}

  private final List<Segment> segments = new ArrayList<>();
  private final Map<Integer, long[]> streams = new HashMap<>();
  private final Map<Integer, Integer> firsts = new HashMap<>();
  private int nextStream;

  int newStream() {
    return nextStream++;
  }

  void segment(String file, long ts, int pid, int tid, String trigger, int stream, ThreadTrace.Snapshot s) {
    segments.add(new Segment(file, ts, pid, tid, trigger, stream, s.from(), s.settled(), s.to(), s.wrapped()));
  }

  void endStream(int stream, long[] ips) {
    int first = Integer.MAX_VALUE;
    for (Segment s : segments) if (s.stream() == stream) first = Math.min(first, s.from());
    if (first == Integer.MAX_VALUE) return; // no IPT event looked at this stretch
    streams.put(stream, Arrays.copyOfRange(ips, first, ips.length));
    firsts.put(stream, first);
  }

  public List<Segment> segments() {
    return segments;
  }

  /** Instruction {@code i} of {@code stream}, or -1 when the file does not hold it. */
  public long ip(int stream, int i) {
    long[] ips = streams.get(stream);
    Integer first = firsts.get(stream);
    if (ips == null || i < first || i - first >= ips.length) return -1;
    return ips[i - first];
  }

  /** The IPs a decode of the segment must yield: FROM..SETTLED-1. */
  public long[] path(Segment s) {
    long[] p = new long[s.settled() - s.from()];
    for (int i = 0; i < p.length; i++) p[i] = ip(s.stream(), s.from() + i);
    return p;
  }

  void write(Path file) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        Writer w = new OutputStreamWriter(new GZIPOutputStream(os, 1 << 16), StandardCharsets.US_ASCII)) {
      w.write("# iptq sample truth v1: segment FILE TS PID TID TRIGGER STREAM FROM SETTLED TO WRAPPED;"
          + " stream STREAM FIRST COUNT, then COUNT IPs\n");
      for (Segment s : segments) {
        w.write("segment " + s.file() + " " + s.ts() + " " + s.pid() + " " + s.tid() + " " + s.trigger()
            + " " + s.stream() + " " + s.from() + " " + s.settled() + " " + s.to() + " " + s.wrapped() + "\n");
      }
      for (int k = 0; k < nextStream; k++) {
        long[] ips = streams.get(k);
        if (ips == null) continue;
        w.write("stream " + k + " " + firsts.get(k) + " " + ips.length + "\n");
        StringBuilder b = new StringBuilder();
        for (long ip : ips) b.append(Long.toHexString(ip)).append('\n');
        w.write(b.toString());
      }
    }
  }

  public static Truth read(Path file) throws IOException {
    Truth t = new Truth();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#")) continue;
        String[] f = line.split(" ");
        if (f[0].equals("segment")) {
          t.segments.add(new Segment(f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
              f[5], Integer.parseInt(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8]), Integer.parseInt(f[9]),
              Boolean.parseBoolean(f[10])));
        } else if (f[0].equals("stream")) {
          int k = Integer.parseInt(f[1]);
          long[] ips = new long[Integer.parseInt(f[3])];
          for (int i = 0; i < ips.length; i++) ips[i] = Long.parseUnsignedLong(r.readLine(), 16);
          t.streams.put(k, ips);
          t.firsts.put(k, Integer.parseInt(f[2]));
          t.nextStream = Math.max(t.nextStream, k + 1);
        }
      }
    }
    return t;
  }
}
