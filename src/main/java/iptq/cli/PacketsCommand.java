package iptq.cli;

import iptq.InputException;
import iptq.pt.DecodeError;
import iptq.pt.Packet;
import iptq.pt.PacketClock;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketFormat;
import iptq.pt.PacketKind;
import iptq.pt.RawTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iptq packets TRACE.pt}: every packet of a raw trace, one per line, in the layout of
 * libipt's {@code ptdump}, so the two can be diffed. Decode errors print as ptdump prints them
 * and the listing resumes at the next PSB.
 */
@Command(
    name = "packets",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List the packets of a raw Intel PT trace in the layout of libipt's ptdump.",
      "One packet per line: offset, packet name, payload. Decode errors print as [offset: error decoding packet: what]"
          + " and the listing resumes at the next PSB."
    })
public final class PacketsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TRACE.pt", description = "raw Intel PT trace file")
  Path trace;

  @Option(names = "--no-offset", description = "don't show the offset as the first column")
  boolean noOffset;

  @Option(names = "--no-pad", description = "don't show PAD packets")
  boolean noPad;

  @Option(names = "--no-timing", description = "don't show timing packets (TSC, TMA, MTC, CYC, CBR)")
  boolean noTiming;

  @Option(names = "--lastip", description = "show the full IP after last-IP decompression on IP packets")
  boolean lastIp;

  @Option(names = "--time", description = "show the estimated TSC on timing packets")
  boolean time;

  @Option(names = "--mtc-freq", paramLabel = "N", description = "IA32_RTIT_CTL.MTCFreq (default: ${DEFAULT-VALUE})")
  int mtcFreq = PacketClock.Config.DEFAULT.mtcFreq();

  @Option(names = "--cpuid-0x15.eax", paramLabel = "N", description = "CPUID.15H:EAX, TSC/CTC denominator (default: unknown)")
  long cpuidEax;

  @Option(names = "--cpuid-0x15.ebx", paramLabel = "N", description = "CPUID.15H:EBX, TSC/CTC numerator (default: unknown)")
  long cpuidEbx;

  @Option(names = "--nom-freq", paramLabel = "N", description = "MSR_PLATFORM_INFO[15:8], nominal ratio for CYC (default: unknown)")
  int nomFreq;

  @picocli.CommandLine.Mixin SegmentOptions one = new SegmentOptions();

  @Override
  public Integer call() throws IOException {
    if (!one.given()) Inputs.requireRawTrace(trace, "packets");
    if (mtcFreq < 0 || mtcFreq > 15) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--mtc-freq must be 0-15");
    PacketClock clock =
        new PacketClock(new PacketClock.Config(mtcFreq, cpuidEax, cpuidEbx, nomFreq));
    Writer w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    PrintWriter out = new PrintWriter(w);
    if (one.given()) {
      try (iptq.ingest.OneSegment s = one.open(trace, List.of(), "packets")) {
        list(s.input().decoders().get(), clock, out);
      } finally {
        out.flush();
      }
      return 0;
    }
    try (RawTrace raw = RawTrace.open(trace)) {
      list(raw.decoder(), clock, out);
    } finally {
      out.flush();
    }
    return 0;
  }

  void list(PacketDecoder d, PacketClock clock, PrintWriter out) {
    Packet p = new Packet();
    StringBuilder sb = new StringBuilder(128);
    for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
      if (s == PacketDecoder.Status.ERROR) {
        DecodeError e = d.lastError();
        out.println(
            e.kind().equals(DecodeError.NOSYNC)
                ? "[" + Long.toHexString(e.offset()) + ": sync error: " + e.message() + "]"
                : PacketFormat.error(e));
        continue;
      }
      clock.update(p);
      if (noPad && p.kind == PacketKind.PAD) continue;
      boolean timing = isTiming(p.kind);
      if (noTiming && timing) continue;
      sb.setLength(0);
      PacketFormat.line(p, sb, !noOffset);
      if (lastIp && p.kind.hasIp()) {
        track(p, sb, !noOffset, "ip", p.ipSuppressed ? "<suppressed>" : hex16(p.ip));
      } else if (time && timing && p.kind != PacketKind.CBR) {
        long t = clock.tsc();
        track(p, sb, !noOffset, "tsc", t == PacketClock.UNKNOWN ? "<unavailable>" : hex16(t));
      }
      out.append(sb).append('\n');
    }
  }

  private static boolean isTiming(PacketKind k) {
    return k == PacketKind.TSC || k == PacketKind.TMA || k == PacketKind.MTC || k == PacketKind.CYC
        || k == PacketKind.CBR;
  }

  /** ptdump's tracking columns: payload padded to 25, then the id padded to 5, then the value. */
  private static void track(Packet p, StringBuilder sb, boolean offset, String id, String value) {
    int payloadStart = (offset ? 18 : 0) + 11;
    if (sb.length() < payloadStart) { // no payload: ptdump pads the name anyway
      while (sb.length() < payloadStart - 1) sb.append(' ');
      sb.append(' ');
    }
    while (sb.length() < payloadStart + 25) sb.append(' ');
    sb.append(' ').append(id);
    for (int i = id.length(); i < 5; i++) sb.append(' ');
    sb.append(value);
  }

  private static String hex16(long v) {
    return PacketFormat.hex(new StringBuilder(16), v, 16).toString();
  }
}
