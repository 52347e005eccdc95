package iptq.cli;

import iptq.InputException;
import iptq.flow.FlowDecoder;
import iptq.flow.FlowListing;
import iptq.flow.PtxedListing;
import iptq.image.RawImage;
import iptq.pt.PacketDecoder;
import iptq.pt.RawTrace;
import iptq.x86.Disassembler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
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
      "List the instructions a raw Intel PT trace executed, as libipt's ptxed lists them: one per line,",
      "events ([enabled], [disabled], [interrupt], [overflow], ...), [end of trace] and errors in brackets.",
      "Takes ptxed's options: iptq insns --raw FILE[:FROM[-TO]]:BASE... [OPTIONS] --pt TRACE"
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

  @Option(names = "--event:time", description = "print the last TSC value before each event, where there is one")
  boolean eventTime;

  @Option(names = "--stat", description = "print statistics at the end (even when quiet)")
  boolean stat;

  @Option(names = "--stat:insn", description = "statistics: the number of instructions")
  boolean statInsn;

  @picocli.CommandLine.Mixin SegmentOptions one = new SegmentOptions();

  @Override
  public Integer call() throws IOException {
    if (one.given()) return SegmentListing.insns(trace, one, images, noInst);
    if (trace != null && pt != null) throw new InputException(null, -1, "give the trace once: positional or --pt, not both");
    if (trace == null && pt == null) throw new InputException(null, -1, "no trace: give TRACE.pt or --pt FILE");
    List<String> specs = new ArrayList<>(images);
    for (String r : raws) specs.add(PtxedArgs.rawSpec(r));
    if (specs.isEmpty()) throw new InputException(null, -1, "no code: give --raw FILE:BASE (or --image FILE@ADDR)");
    Inputs.requireImageFiles(specs);
    RawImage image = RawImage.of(specs);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    PtxedArgs.TraceSlice slice = pt != null ? PtxedArgs.traceSlice(pt) : new PtxedArgs.TraceSlice(trace, 0, -1);
    Inputs.requireRawTrace(slice.file(), "insns");
    RawTrace rt = null;
    try (Disassembler dis = noInst || quiet ? null : new Disassembler()) {
      PacketDecoder packets;
      if (slice.offset() == 0 && slice.size() < 0) {
        rt = RawTrace.open(slice.file());
        packets = rt.decoder();
      } else {
        packets = new PacketDecoder(slice.read());
      }
      FlowDecoder[] decoder = new FlowDecoder[1];
      byte[] code = new byte[16];
      LongFunction<String> text = dis == null ? null : ip -> {
        int n = image.read(decoder[0].asid(), ip, code, 0, code.length);
        return n == 0 ? null : dis.text(ip, code, 0, n, decoder[0].mode());
      };
      FlowListing.Lines lines = line -> {
        try {
          out.append(line).append('\n');
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      };
      PtxedListing listing = new PtxedListing(lines,
          new PtxedListing.Options(noInst, quiet, eventIp, eventTime), text, new PtxedListing.StatusSource() {
            @Override
            public boolean statusUpdate() {
              return decoder[0].statusUpdate();
            }

            @Override
            public boolean syncing() {
              return decoder[0].syncing();
            }
          });
      decoder[0] = new FlowDecoder(packets, image, listing);
      decoder[0].decode();
      if (stat || statInsn) out.append("insn: ").append(Long.toString(listing.instructions())).append(".\n");
    } finally {
      out.flush();
      if (rt != null) rt.close();
    }
    return 0;
  }
}
