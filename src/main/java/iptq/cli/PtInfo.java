package iptq.cli;

import iptq.pt.Packet;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketKind;
import iptq.pt.RawTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code iptq info} for a raw trace: packets by kind, sync points, errors, time span. */
final class PtInfo {
  private PtInfo() {}

  static void describe(Path file, PrintStream out) throws IOException {
    long[] counts = new long[PacketKind.values().length];
    long errors = 0, firstTsc = -1, lastTsc = -1, tntBits = 0;
    String firstError = null;
    try (RawTrace trace = RawTrace.open(file)) {
      PacketDecoder dec = trace.decoder();
      Packet p = new Packet();
      while (true) {
        PacketDecoder.Status st = dec.next(p);
        if (st == PacketDecoder.Status.END) break;
        if (st == PacketDecoder.Status.ERROR) {
          errors++;
          if (firstError == null) firstError = dec.lastError().toString();
          if (dec.sync() < 0) break;
          continue;
        }
        counts[p.kind.ordinal()]++;
        if (p.kind.isTnt()) tntBits += p.tntCount;
        if (p.kind == PacketKind.TSC) {
          if (firstTsc < 0) firstTsc = p.payload;
          lastTsc = p.payload;
        }
      }
      out.printf("  packets: %,d in %,d PSB-delimited stretches; %,d bytes skipped%n",
          total(counts), counts[PacketKind.PSB.ordinal()], dec.skipped());
      out.printf("  branches recorded: %,d TNT bits, %,d TIPs%n", tntBits, counts[PacketKind.TIP.ordinal()]);
      if (firstTsc >= 0) out.printf("  TSC: 0x%x .. 0x%x (%,d ticks)%n", firstTsc, lastTsc, lastTsc - firstTsc);
      out.printf("  decode errors: %,d%s%n", errors, firstError == null ? "" : " (first: " + firstError + ")");
      out.println("  by kind:");
      for (PacketKind k : PacketKind.values()) {
        if (counts[k.ordinal()] > 0) out.printf("    %-10s %,d%n", k.label(), counts[k.ordinal()]);
      }
    }
  }

  private static long total(long[] counts) {
    long t = 0;
    for (long c : counts) t += c;
    return t;
  }
}
