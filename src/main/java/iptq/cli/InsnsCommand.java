package iptq.cli;

import iptq.flow.AddressFilter;
import iptq.flow.FlowDecoder;
import iptq.flow.ListingBuffer;
import iptq.flow.PtxedListing;
import iptq.image.RawImage;
import iptq.pt.Errata;
import iptq.pt.PacketDecoder;
import iptq.pt.RawTrace;
import iptq.x86.CapstoneLibrary;
import iptq.x86.Disassembler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The instruction listing of a raw trace, byte for byte as libipt 2.2's {@code ptxed} prints it
 * (capstone's instruction text where ptxed prints XED's), with ptxed's command line: see
 * docs/drop-in-ptxed.md. iptq's own spellings ({@code --image FILE@ADDR}, {@code --ip-only}, a
 * positional trace) keep working.
 */
@Command(
    name = "insns",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "List the instructions a raw Intel PT trace executed, as libipt's ptxed lists them.",
      "One instruction per line; events ([enabled], [disabled], [interrupt], [overflow], ...),"
          + " [end of trace] and errors in brackets.",
      "Takes ptxed's options:",
      "  iptq insns --raw FILE[:FROM[-TO]]:BASE... [OPTIONS] --pt TRACE"
    })
public final class InsnsCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "TRACE.pt", description = "raw Intel PT trace file (or --pt)")
  Path trace;

  @Option(names = "--pt", paramLabel = "FILE[:FROM[-TO]]", description = "the trace (as ptxed); an optional byte offset or range")
  String pt;

  @Option(names = "--raw", paramLabel = "FILE[:FROM[-TO]]:BASE",
      description = "raw code bytes from FILE (an optional offset or range) loaded at BASE (as ptxed); repeat for more")
  List<String> raws = new ArrayList<>();

  @Option(names = "--image", paramLabel = "FILE@ADDR[@OFFSET@SIZE]",
      description = "raw code bytes mapped at ADDR (iptq's spelling of --raw); repeat for more sections")
  List<String> images = new ArrayList<>();

  @Option(names = {"--no-inst", "--ip-only"}, description = "print only the instruction addresses, no text")
  boolean noInst;

  @Option(names = {"--quiet", "-q"}, description = "print nothing but errors (and --stat)")
  boolean quiet;

  @Option(names = "--event:ip", description = "print the IPs of events")
  boolean eventIp;

  @Option(names = "--event:time", description = "print the time (libipt's estimate from TSC, TMA, MTC, CYC) of each event, once a TSC gave it")
  boolean eventTime;

  @Option(names = "--stat", description = "print statistics at the end (even when quiet); all unless some are selected")
  boolean stat;

  @Option(names = "--stat:insn", description = "statistics: the number of instructions")
  boolean statInsn;

  @Option(names = "--stat:blocks", description = "statistics: the number of blocks (block decoder)")
  boolean statBlocks;

  @Option(names = "--insn-decoder", description = "list as ptxed's instruction flow decoder does (no blocks)")
  boolean insnDecoder;

  @Option(names = "--block-decoder", description = "list as ptxed's block decoder does (the default)")
  boolean blockDecoder;

  @Option(names = "--block:show-blocks", description = "show the block decoder's blocks ([block])")
  boolean showBlocks;

  @Option(names = "--block:end-on-call", description = "blocks end at direct calls too")
  boolean endOnCall;

  @Option(names = "--block:end-on-jump", description = "blocks end at direct jumps too")
  boolean endOnJump;

  @Option(names = "--check", description = "decode every instruction again with capstone and print a check error where it disagrees (size, kind of branch)")
  boolean check;

  @Option(names = "--resync-on-error", description = "refused: iptq resumes at the next PSB after an error, as ptxed without it")
  boolean resyncOnError;

  @Option(names = "--cpu", paramLabel = "none|F/M[/S]",
      description = "decode with the workarounds libipt 2.2 applies for this CPU's errata (none: by the specification)")
  String cpu;

  @Option(names = "--mtc-freq", paramLabel = "N", description = "IA32_RTIT_CTL.MTCFreq: the CTC bits MTC packets carry (for --event:time)")
  String mtcFreq;

  @Option(names = "--nom-freq", paramLabel = "N", description = "MSR_PLATFORM_INFO[15:8], the nominal ratio: CYC packets' core cycles to TSC ticks with CBR (for --event:time)")
  String nomFreq;

  @Option(names = "--cpuid-0x15.eax", paramLabel = "N", description = "CPUID[0x15].EAX: the TSC/CTC ratio's denominator, for MTC packets (for --event:time)")
  String cpuidEax;

  @Option(names = "--cpuid-0x15.ebx", paramLabel = "N", description = "CPUID[0x15].EBX: the TSC/CTC ratio's numerator (for --event:time)")
  String cpuidEbx;

  @Option(names = "--insn:keep-tcal-on-ovf",
      description = "with --insn-decoder: keep the time calibration (core cycles to TSC ticks) across an overflow (for --event:time)")
  boolean insnKeepTcalOnOvf;

  @Option(names = "--block:keep-tcal-on-ovf",
      description = "with the block decoder: keep the time calibration across an overflow (as --insn:keep-tcal-on-ovf)")
  boolean blockKeepTcalOnOvf;

  @Option(names = {"--filter:addr0_cfg", "--filter:addr1_cfg", "--filter:addr2_cfg", "--filter:addr3_cfg",
      "--filter:addr0_a", "--filter:addr1_a", "--filter:addr2_a", "--filter:addr3_a",
      "--filter:addr0_b", "--filter:addr1_b", "--filter:addr2_b", "--filter:addr3_b"},
      paramLabel = "N", description = "IA32_RTIT_CTL.ADDRn_CFG, IA32_RTIT_ADDRn_A/B the trace was recorded with (for the SKL014 workaround of --cpu)")
  List<String> filters = new ArrayList<>();

  @Option(names = "--event:iflags", description = "report changes of the interrupt flag (event trace) as [interrupts enabled|disabled]")
  boolean eventIflags;

  @Option(names = "--event:tick", description = "report libipt's tick events: [tick] after a branch whose TNT or TIP packet came at a new time (with --event:time, that time)")
  boolean eventTick;

  // a missing or doubled trace or code option is a usage error (exit 2), as picocli's own are
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** ptxed's options as the listing takes them: --stat selects all statistics unless some are named. */
  PtxedListing.Options options() {
    boolean block = !insnDecoder || blockDecoder;
    boolean all = stat && !statInsn && !statBlocks;
    return new PtxedListing.Options(noInst, quiet, eventIp, eventTime, block, showBlocks && block, endOnCall, endOnJump,
        statInsn || all, statBlocks || all && block);
  }

  /** ptxed's timing configuration. */
  private iptq.pt.PtdumpClock.Config timing(Errata errata) {
    return PtxedArgs.timing(mtcFreq, nomFreq, cpuidEax, cpuidEbx, errata, m -> new CommandLine.ParameterException(spec.commandLine(), m));
  }

  @picocli.CommandLine.Mixin SegmentOptions one = new SegmentOptions();

  @Override
  public Integer call() throws IOException {
    if (one.given()) return SegmentListing.insns(trace, one, images, noInst);
    Errata errata = Errata.NONE;
    boolean unknownCpu = false;
    if (cpu != null && !cpu.equals("none")) {
      Errata.Cpu c;
      try {
        c = Errata.Cpu.parse(cpu);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--cpu takes none or FAMILY/MODEL[/STEPPING], not " + cpu);
      }
      errata = Errata.of(c);
      unknownCpu = !Errata.known(c);
    }
    AddressFilter filter = PtxedArgs.filter(spec.commandLine().getParseResult().originalArgs(),
        m -> new CommandLine.ParameterException(spec.commandLine(), m));
    if (trace != null && pt != null) throw new CommandLine.ParameterException(spec.commandLine(), "give the trace once: positional or --pt, not both");
    if (trace == null && pt == null) throw new CommandLine.ParameterException(spec.commandLine(), "no trace: give TRACE.pt or --pt FILE");
    List<String> specs = new ArrayList<>(images);
    for (String r : raws) specs.add(PtxedArgs.rawSpec(r));
    if (specs.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "no code: give --raw FILE:BASE (or --image FILE@ADDR)");
    Inputs.requireImageFiles(specs);
    RawImage image = RawImage.of(specs);
    ListingBuffer out = new ListingBuffer(System.out);
    PtxedArgs.TraceSlice slice = pt != null ? PtxedArgs.traceSlice(pt) : new PtxedArgs.TraceSlice(trace, 0, -1);
    Inputs.requireRawTrace(slice.file(), "insns");
    RawTrace rt = null;
    if (resyncOnError) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--resync-on-error is not supported: after an error iptq"
          + " resumes at the next PSB, as ptxed does without it (libipt's resync-in-place is not reproduced yet)");
    }
    if (check && CapstoneLibrary.problem() != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--check decodes every instruction again with capstone: "
          + CapstoneLibrary.message(CapstoneLibrary.problem()));
    }
    try (Disassembler dis = (noInst || quiet) && !check ? null : new Disassembler()) {
      PacketDecoder packets;
      if (slice.offset() == 0 && slice.size() < 0) {
        rt = RawTrace.open(slice.file());
        packets = rt.decoder();
      } else {
        packets = new PacketDecoder(slice.read());
      }
      FlowDecoder[] decoder = new FlowDecoder[1];
      byte[] code = new byte[16];
      LongFunction<String> text = dis == null || noInst || quiet ? null : ip -> {
        int n = image.read(decoder[0].asid(), ip, code, 0, code.length);
        return n == 0 ? null : dis.text(ip, code, 0, n, decoder[0].mode());
      };
      PtxedListing listing = new PtxedListing(out,
          options(), text, new PtxedListing.StatusSource() {
            @Override
            public boolean statusUpdate() {
              return decoder[0].statusUpdate();
            }

            @Override
            public boolean syncing() {
              return decoder[0].syncing();
            }

            @Override
            public long offset() {
              return decoder[0].traceOffset();
            }
          });
      if (check) listing.checking(new InsnCheck(image, dis, decoder));
      // ptxed reports a processor libipt does not know before decoding, and decodes by the spec.
      if (unknownCpu) out.line("[0, 0: config error: unknown cpu]");
      // the packet-level errata (SKZ84, SKD007) too: libipt 2.2's query decoder sits on its packet decoder
      decoder[0] = new FlowDecoder(packets.errata(errata), image, listing).workarounds(errata, filter).reportIflags(eventIflags)
          .timing(timing(errata), options().blockDecoder() ? blockKeepTcalOnOvf : insnKeepTcalOnOvf)
          .reportTicks(eventTick);
      decoder[0].decode();
      listing.printStats();
    } finally {
      out.flush();
      if (rt != null) rt.close();
    }
    return 0;
  }
}
