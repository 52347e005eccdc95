package iptq.cli;

import iptq.etl.BufferHeader;
import iptq.etl.EtlEvent;
import iptq.etl.EtlFile;
import iptq.etl.EtlStats;
import iptq.etl.EventData;
import iptq.etl.IptSegment;
import iptq.etl.IptSegments;
import iptq.etl.IptSysFile;
import iptq.etl.LogfileHeader;
import iptq.etl.TraceFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an .etl (or ipt.sys) trace file holds, for {@code iptq info}; the command prints the
 * file's name and kind line before it.
 */
public final class EtlInfo {
  private EtlInfo() {}

  private static final int MAX_PROCESSES = 50;
  /** Segments the description lists; {@code --list-segments} lists them all. */
  static final int MAX_SEGMENTS = 100;

  public static void describe(Path file, PrintStream out) throws IOException {
    describe(file, out, -1);
  }

  /** @param iptHook the HookId given with {@code --ipt-hook}, or -1 to recognise IPT events */
  public static void describe(Path file, PrintStream out, int iptHook) throws IOException {
    if (!TraceFiles.looksLikeEtl(file) && IptSysFile.detect(file)) {
      describeIptSys(file, out);
      return;
    }
    try (EtlFile f = EtlFile.open(file, new EtlFile.Options(iptHook))) {
      LogfileHeader h = f.header();
      out.printf("  logger          %s%n", h.loggerName());
      out.printf("  written as      %s%n", h.logFileName());
      out.printf("  Windows         %s build %d, %d processors, %d MHz, pointer size %d%n",
          h.osVersion(), h.providerVersion(), h.numberOfProcessors(), h.cpuSpeedMHz(), h.pointerSize());
      out.printf("  clock           %s at %d Hz (timer resolution %d x 100 ns)%n", h.clockName(),
          h.clockFrequency(), h.timerResolution());
      out.printf("  start           %s (boot %s)%n", h.startInstant(), LogfileHeader.fileTimeToInstant(h.bootTime()));
      out.printf("  end             %s%n", LogfileHeader.fileTimeToInstant(h.endTime()));
      out.printf("  log file mode   0x%08x%s; buffers written %d, events lost %d, buffers lost %d%n",
          h.logFileMode(), h.compressed() ? " (compressed)" : "", h.buffersWritten(), h.eventsLost(), h.buffersLost());

      IptSegments ipt = new IptSegments(h, iptHook);
      List<EventData.Process> procs = new ArrayList<>();
      Map<Integer, String> seen = new TreeMap<>();
      long segs = 0;
      long bytes = 0;
      long wrapped = 0;
      long skipped = 0;
      int min = Integer.MAX_VALUE;
      int max = 0;
      Map<String, Long> triggers = new TreeMap<>();
      long firstTs = Long.MAX_VALUE;
      long lastTs = Long.MIN_VALUE;
      List<SegmentTable> listed = new ArrayList<>();
      long start = iptq.ingest.EtlTables.startNanos(h);
      while (f.hasMoreEvents()) {
        EtlEvent e = f.readEvent();
        firstTs = Math.min(firstTs, e.ts());
        lastTs = Math.max(lastTs, e.ts());
        if (e.data() instanceof EventData.Process p && e.group() == 0x03 && !seen.containsKey(p.pid())) {
          seen.put(p.pid(), p.imageFileName());
          procs.add(p);
        }
        IptSegment s = ipt.accept(e).orElse(null);
        if (s != null) {
          segs++;
          if (listed.size() < MAX_SEGMENTS) listed.add(SegmentTable.of(segs, s, start));
          bytes += s.sizeBytes();
          min = Math.min(min, s.sizeBytes());
          max = Math.max(max, s.sizeBytes());
          if (s.wrapped()) wrapped++;
          skipped += s.skippedBytes();
          triggers.merge(s.trigger() == null ? "(none found)" : s.trigger(), 1L, Long::sum);
        }
      }
      EtlStats st = f.stats();
      out.printf("%nBuffers: %d", st.buffers());
      List<String> types = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        if (st.buffersOfType(t) > 0) types.add(st.buffersOfType(t) + " " + BufferHeader.typeName(t));
      }
      out.printf(" (%s)", String.join(", ", types));
      if (st.compressedBuffers() > 0) out.printf(", %d compressed", st.compressedBuffers());
      out.println();
      if (st.buffersWithEventsLost() + st.buffersWithBufferLost() > 0) {
        out.printf("  LOST: %d buffers flagged events-lost, %d flagged buffer-lost%n", st.buffersWithEventsLost(),
            st.buffersWithBufferLost());
      }
      if (st.corruptBuffers() + st.badRecords() + st.unknownRecords() + st.trailingBytes()
          + st.undecodablePayloads() > 0) {
        out.printf("  SKIPPED: %d corrupt buffers, %d bad records, %d records of unknown kinds (%d bytes), "
            + "%d trailing bytes, %d payloads not matching their layout%n", st.corruptBuffers(), st.badRecords(),
            st.unknownRecords(), st.skippedBytes(), st.trailingBytes(), st.undecodablePayloads());
      }
      out.printf("%nEvents: %d", st.events());
      if (st.events() > 0) out.printf(" over %.3f s", (lastTs - firstTs) / 1e9);
      out.println();
      out.println("  by name:");
      st.eventsByName().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(en -> out.printf("    %-28s %,10d%n", en.getKey(), en.getValue()));
      out.println("  by header kind and HookId / provider:");
      st.countsByKindAndHook().forEach((k, v) -> out.printf("    %-52s %,10d%n", k, v));

      out.printf("%nProcesses: %d%n", procs.size());
      for (int i = 0; i < Math.min(MAX_PROCESSES, procs.size()); i++) {
        EventData.Process p = procs.get(i);
        out.printf("  %6d  %-28s %s%n", p.pid(), p.imageFileName(), p.commandLine());
      }
      if (procs.size() > MAX_PROCESSES) out.printf("  ... and %d more%n", procs.size() - MAX_PROCESSES);

      out.printf("%nIPT segments: %d", segs);
      if (segs > 0) {
        out.printf(" (%,d bytes; %d to %d bytes each; %d wrapped, %d not; %,d bytes before a first PSB)%n", bytes,
            min, max, wrapped, segs - wrapped, skipped);
        out.println("  triggers:");
        triggers.forEach((k, v) -> out.printf("    %-28s %,10d%n", k, v));
      } else {
        out.println();
      }
      Map<Integer, IptSegments.HookFinding> found = ipt.findings();
      if (found.isEmpty()) {
        out.println("  no event of the IPT event's shape (type 0x20, payload = 32 + TraceSize) was found");
      }
      for (IptSegments.HookFinding hf : found.values()) {
        out.printf("  hook 0x%04X: %d IPT-shaped events, %d taken as IPT%s, %d linked to a kernel event%n",
            hf.hookId(), hf.candidates(), hf.confirmed(), iptHook >= 0 ? " (named by --ipt-hook)" : " (by structure)",
            hf.linked());
        if (iptHook < 0 && hf.confirmed() < hf.candidates()) {
          out.printf("    %d were not taken (unknown thread or no kernel event at their EventTimeStamp);"
              + " --ipt-hook 0x%04X takes them all%n", hf.candidates() - hf.confirmed(), hf.hookId());
        }
      }
      listSegments(listed, segs, file, out);
    }
  }

  private static void describeIptSys(Path file, PrintStream out) throws IOException {
    try (IptSysFile f = IptSysFile.open(file)) {
      long n = 0;
      long bytes = 0;
      while (f.hasNext()) {
        IptSegment s = f.next();
        n++;
        bytes += s.sizeBytes();
        out.printf("  segment %d, thread %6d: %,d bytes, ring offset %d, %s, %d bytes before the first PSB, timing %d, MTC %d%n",
            n, s.tid(), s.sizeBytes(), s.tracePosition(), s.wrapped() ? "wrapped" : "not wrapped", s.skippedBytes(),
            s.option().timeMode(), s.option().mtcFreq());
      }
      out.printf("IPT segments: %d (%,d bytes)%n", n, bytes);
    }
  }

  /** The first {@link #MAX_SEGMENTS} segments under the description, and how to get the rest. */
  private static void listSegments(List<SegmentTable> listed, long total, Path file, PrintStream out) {
    if (listed.isEmpty()) return;
    out.printf("%nSegments (N as insns and packets take it: --segment N):%n");
    SegmentTable.header(out);
    for (SegmentTable r : listed) r.row(out);
    if (total > listed.size()) {
      out.printf("  ... and %,d more: iptq info --list-segments %s lists every one (--format csv too)%n",
          total - listed.size(), file);
    }
  }

  /**
   * Every IPT segment of an .etl or ipt.sys file, numbered in file order as ingest and {@code
   * --segment N} number them (the same pass over the events as ingest's).
   */
  static List<SegmentTable> segments(Path file, int iptHook) throws IOException {
    List<SegmentTable> out = new ArrayList<>();
    if (!TraceFiles.looksLikeEtl(file) && IptSysFile.detect(file)) {
      try (IptSysFile f = IptSysFile.open(file)) {
        while (f.hasNext()) out.add(SegmentTable.of(out.size() + 1, f.next(), Long.MIN_VALUE));
      }
      return out;
    }
    try (EtlFile f = EtlFile.open(file, new EtlFile.Options(iptHook))) {
      IptSegments ipt = new IptSegments(f.header(), iptHook);
      long start = iptq.ingest.EtlTables.startNanos(f.header());
      while (f.hasMoreEvents()) {
        IptSegment s = ipt.accept(f.readEvent()).orElse(null);
        if (s != null) out.add(SegmentTable.of(out.size() + 1, s, start));
      }
    }
    return out;
  }
}
