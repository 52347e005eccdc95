package iptq.cli;

import iptq.etl.IptSegment;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The IPT segments of a trace file as {@code iptq info} lists them: numbered from 1 in file order,
 * the number {@code insns/packets TRACE --segment N} takes and a one-trace ingest gives as
 * {@code segment_id}.
 *
 * @param ts ns since the trace start of the triggering event, Long.MIN_VALUE if none
 * @param timeUtc the trace's start plus {@code ts}, null when either is unknown
 */
record SegmentTable(long n, String trigger, int pid, int tid, int cpu, long ts, Instant timeUtc, int bytes,
    boolean wrapped) {

  /** Segment {@code n} of a trace whose ts = 0 is {@code startEpochNanos} (Long.MIN_VALUE: no clock). */
  static SegmentTable of(long n, IptSegment s, long startEpochNanos) {
    Instant utc = s.ts() == Long.MIN_VALUE || startEpochNanos == Long.MIN_VALUE ? null
        : Instant.ofEpochSecond(0, startEpochNanos).plusNanos(s.ts());
    return new SegmentTable(n, s.trigger(), s.pid(), s.tid(), s.cpu(), s.ts(), utc, s.sizeBytes(), s.wrapped());
  }

  static final String CSV_HEADER = "segment,trigger,pid,tid,cpu,time_utc,ts_ns,bytes,wrapped";

  String csv() {
    return n + "," + (trigger == null ? "" : trigger) + "," + (pid < 0 ? "" : pid) + "," + (tid < 0 ? "" : tid) + ","
        + (cpu < 0 ? "" : cpu) + "," + (timeUtc == null ? "" : timeUtc) + "," + (ts == Long.MIN_VALUE ? "" : ts) + ","
        + bytes + "," + wrapped;
  }

  private static final String ROW = "  %7s  %-16s %7s %7s %4s  %-30s %12s %9s  %s%n";

  static void header(PrintStream out) {
    out.printf(Locale.ROOT, ROW, "segment", "trigger", "pid", "tid", "cpu", "time_utc", "ts (ms)", "bytes", "wrapped");
  }

  void row(PrintStream out) {
    out.printf(Locale.ROOT, ROW, n, trigger == null ? "-" : trigger, pid < 0 ? "-" : pid, tid < 0 ? "-" : tid,
        cpu < 0 ? "-" : cpu, timeUtc == null ? "-" : timeUtc,
        ts == Long.MIN_VALUE ? "-" : String.format(Locale.ROOT, "%.6f", ts / 1e6),
        String.format(Locale.ROOT, "%,d", bytes), wrapped ? "yes" : "no");
  }

  /** Every row: CSV with a header line, or an aligned table. */
  static void print(List<SegmentTable> rows, boolean csv, PrintStream out) {
    if (csv) {
      out.println(CSV_HEADER);
      for (SegmentTable r : rows) out.println(r.csv());
      return;
    }
    header(out);
    for (SegmentTable r : rows) r.row(out);
    out.printf(Locale.ROOT, "  (%,d segment(s))%n", rows.size());
  }
}
