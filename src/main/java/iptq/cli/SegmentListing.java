package iptq.cli;

import iptq.flow.FlowDecoder;
import iptq.flow.FlowListing;
import iptq.flow.ListingBuffer;
import iptq.image.CodeImage;
import iptq.ingest.OneSegment;
import iptq.symbols.SymbolMap;
import iptq.x86.Disassembler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongFunction;

/**
 * {@code iptq insns TRACE.etl --segment N}: one segment's instructions, each line the IP, the
 * name WinDbg would give it ({@code module!function+0xoff}) and the instruction text.
 */
final class SegmentListing {
  private SegmentListing() {}

  static int insns(Path trace, SegmentOptions one, List<String> rawImages, boolean ipOnly) throws IOException {
    if (trace == null) throw new iptq.InputException(null, -1, "no trace: give TRACE.etl with --segment N");
    ListingBuffer out = new ListingBuffer(System.out);
    try (OneSegment s = one.open(trace, rawImages, "insns"); Disassembler dis = ipOnly ? null : new Disassembler()) {
      CodeImage image = s.image();
      if (image == null) {
        throw new iptq.InputException(trace, -1, "segment " + s.input().segmentId() + ": no code to decode against: give --dump,"
            + " --image-path or a symbol server (--symbols srv*CACHE*URL); iptq packets lists its packets without code");
      }
      SymbolMap names = s.symbols();
      FlowDecoder[] decoder = new FlowDecoder[1];
      byte[] code = new byte[16];
      LongFunction<String> text = ip -> {
        String name = SegmentOptions.windbgName(names.describe(ip));
        String insn = null;
        if (dis != null) {
          int n = image.read(decoder[0].asid(), ip, code, 0, code.length);
          insn = n == 0 ? null : dis.text(ip, code, 0, n, decoder[0].mode());
        }
        if (name == null) return insn;
        return insn == null ? name : name + "  " + insn;
      };
      FlowListing listing = new FlowListing(out, text);
      decoder[0] = new FlowDecoder(s.input().decoders().get(), image, listing);
      decoder[0].decode();
    } finally {
      out.flush();
    }
    return 0;
  }
}
