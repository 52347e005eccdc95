package iptq.cli;

import iptq.pt.Errata;
import iptq.pt.PacketDecoder;
import iptq.pt.PtdumpClock;
import iptq.pt.PtdumpListing;
import iptq.pt.RawTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iptq packets TRACE.pt}: every packet of a raw trace, byte for byte as libipt 2.2's
 * {@code ptdump} lists it, with ptdump's options (see docs/drop-in.md). What ptdump passes over
 * in silence (a trace cut inside its last packet, a trace without a PSB) iptq says on standard
 * error, so that standard output stays ptdump's.
 */
@Command(
    name = "packets",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "List the packets of a raw Intel PT trace exactly as libipt's ptdump lists them, with ptdump's options.",
      "One packet per line: offset, packet name, payload. Decode errors print as [offset: error decoding packet: what]"
          + " and the listing resumes at the next PSB.",
      "  iptq packets [OPTIONS] TRACE.pt[:FROM[-TO]]"
    })
public final class PacketsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TRACE.pt[:FROM[-TO]]",
      description = "raw Intel PT trace file, optionally a byte offset or range of it (as ptdump)")
  String trace;

  @Option(names = "--no-sync", description = "don't look for the first PSB: take the start of the trace as a sync point")
  boolean noSync;

  @Option(names = "--quiet", description = "print nothing but errors")
  boolean quiet;

  @Option(names = "--no-pad", description = "don't show PAD packets")
  boolean noPad;

  @Option(names = "--no-timing", description = "don't show timing packets (TSC, TMA, MTC, CYC, CBR)")
  boolean noTiming;

  @Option(names = "--no-cyc", description = "don't show CYC packets and ignore them when tracking time")
  boolean noCyc;

  @Option(names = "--no-offset", description = "don't show the offset as the first column")
  boolean noOffset;

  @Option(names = "--raw", description = "show the raw packet bytes")
  boolean raw;

  @Option(names = "--lastip", description = "show the last IP (after decompression) on packets with IP payloads")
  boolean lastIp;

  @Option(names = "--exec-mode", description = "show the execution mode on mode.exec packets")
  boolean execMode;

  @Option(names = "--time", description = "show the estimated TSC on timing packets")
  boolean time;

  @Option(names = "--tcal", description = "show the time calibration (fast-counter ticks per cycle) on timing packets")
  boolean tcal;

  @Option(names = "--time-delta", description = "show --time and --tcal as the change from the previous value")
  boolean timeDelta;

  @Option(names = "--no-tcal", description = "skip time calibration (CYC packets then cannot move time)")
  boolean noTcal;

  @Option(names = "--no-wall-clock", description = "without a TSC, show relative time instead of an error")
  boolean noWallClock;

  @Option(names = "--keep-tcal-on-ovf", description = "keep the time calibration across an overflow")
  boolean keepTcalOnOvf;

  @Option(names = "--cpu", paramLabel = "none|F/M[/S]",
      description = "decode with libipt's workarounds for this CPU's errata (family/model[/stepping]); default none: the spec")
  String cpu;

  @Option(names = "--mtc-freq", paramLabel = "N", description = "IA32_RTIT_CTL.MTCFreq (bits 17:14) of the trace (default 0, as ptdump)")
  String mtcFreq;

  @Option(names = "--nom-freq", paramLabel = "N", description = "MSR_PLATFORM_INFO[15:8], the nominal core:bus ratio (calibrates CYC)")
  String nomFreq;

  @Option(names = "--cpuid-0x15.eax", paramLabel = "N", description = "CPUID.15H:EAX, the TSC/CTC ratio's denominator")
  String cpuidEax;

  @Option(names = "--cpuid-0x15.ebx", paramLabel = "N", description = "CPUID.15H:EBX, the TSC/CTC ratio's numerator")
  String cpuidEbx;

  @Option(names = {"--sb", "--sb:compact", "--sb:verbose", "--sb:filename", "--sb:offset", "--sb:time", "--sb:warn"}, hidden = true)
  List<Boolean> sideband = new ArrayList<>();

  @Option(names = {"--pevent", "--pevent:primary", "--pevent:secondary", "--pevent:sample-type", "--pevent:time-zero",
      "--pevent:time-shift", "--pevent:time-mult", "--pevent:tsc-offset", "--pevent:kernel-start", "--pevent:sysroot",
      "--pevent:kcore", "--pevent:vdso-x64", "--pevent:vdso-x32", "--pevent:vdso-ia32"}, hidden = true, paramLabel = "ARG")
  List<String> pevent = new ArrayList<>();

  @picocli.CommandLine.Mixin SegmentOptions one = new SegmentOptions();

  @Override
  public Integer call() throws IOException {
    if (!sideband.isEmpty() || !pevent.isEmpty()) {
      throw usage("ptdump's sideband options (--sb*, --pevent*) are for Linux perf sideband, which iptq's Windows traces"
          + " do not have; they are not supported");
    }
    if (time && tcal) throw usage("specify either --time or --tcal");
    Errata errata = Errata.NONE;
    boolean unknownCpu = false;
    if (cpu != null && !cpu.equals("none")) {
      Errata.Cpu c;
      try {
        c = Errata.Cpu.parse(cpu);
      } catch (IllegalArgumentException e) {
        throw usage("--cpu: " + e.getMessage());
      }
      unknownCpu = !Errata.known(c);
      errata = Errata.of(c);
    }
    PtdumpClock.Config config = PtxedArgs.timing(mtcFreq, nomFreq, cpuidEax, cpuidEbx, errata, this::usage);
    PtdumpListing.Options opt = new PtdumpListing.Options(!noOffset, raw, lastIp, execMode, time, tcal, timeDelta, quiet,
        noPad, noSync, noTcal, noWallClock, noTiming, noCyc, keepTcalOnOvf);

    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try {
      if (one.given()) {
        Path file = Path.of(trace);
        try (iptq.ingest.OneSegment s = one.open(file, List.of(), "packets")) {
          if (unknownCpu) out.write("[0: failed to determine errata: unknown cpu]\n");
          note(file, new PtdumpListing(opt, config, out).list(s.input().decoders().get().errata(errata)));
        }
        return 0;
      }
      PtxedArgs.TraceSlice slice = PtxedArgs.traceSlice(trace);
      Inputs.requireRawTrace(slice.file(), "packets");
      if (slice.offset() == 0 && slice.size() < 0) {
        try (RawTrace rt = RawTrace.open(slice.file())) {
          if (unknownCpu) out.write("[0: failed to determine errata: unknown cpu]\n");
          note(slice.file(), new PtdumpListing(opt, config, out).list(rt.decoder().errata(errata)));
        }
      } else {
        PacketDecoder d = new PacketDecoder(slice.read()).errata(errata);
        if (unknownCpu) out.write("[0: failed to determine errata: unknown cpu]\n");
        note(slice.file(), new PtdumpListing(opt, config, out).list(d));
      }
    } finally {
      out.flush();
    }
    return 0;
  }

  /** What ptdump passes over in silence, on standard error. */
  private void note(Path file, String note) {
    if (note == null) return;
    java.io.PrintWriter err = spec.commandLine().getErr();
    err.println("iptq packets: " + file + ": " + note);
    err.flush();
  }

  /** A number as ptdump reads it (C's strtoull, base 0), at most {@code max}. */
  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
