package iptq.cli;

import iptq.InputException;
import iptq.ingest.FileKind;
import iptq.ingest.OneSegment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options of {@code iptq insns} and {@code iptq packets} that pick one segment of an .etl or
 * ipt.sys file, with ingest's options for its code and names ({@link CodeOptions}, the same mixin).
 */
final class SegmentOptions {
  @Option(names = "--segment", paramLabel = "N",
      description = "of an .etl (or ipt.sys) trace, list segment N: 1 is the first in the file, as ingest numbers segment_id")
  Long segment;

  @Option(names = "--thread", paramLabel = "TID", description = "of an ipt.sys trace, list the segment of thread TID")
  Long thread;

  @picocli.CommandLine.Mixin CodeOptions code = new CodeOptions();

  boolean given() {
    return segment != null || thread != null;
  }

  /** The segment asked for; {@code rawImages} are {@code --image FILE@ADDR} sections. */
  OneSegment open(Path trace, List<String> rawImages, String command) throws IOException {
    InputException.requireFile(trace, "trace file");
    code.check();
    if (segment != null && segment < 1) throw new InputException(null, -1, "--segment " + segment + ": segments are numbered from 1");
    FileKind kind = FileKind.of(trace);
    OneSegment.Sources src = new OneSegment.Sources(code.dumps, code.imagePaths, code.symbols, rawImages,
        code.importRewrite, null, code.symbolServer());
    OneSegment s = switch (kind) {
      case ETL -> {
        if (segment == null) throw new InputException(trace, -1, "an .etl trace: give --segment N (--thread is for ipt.sys files)");
        yield OneSegment.etl(trace, segment, src);
      }
      case IPT_SYS -> OneSegment.iptSys(trace, thread, segment == null ? -1 : segment, src);
      default -> throw new InputException(trace, -1, "--segment and --thread pick a segment of an .etl or ipt.sys trace; this is "
          + kind.description().toLowerCase(Locale.ROOT) + ": iptq " + command + " lists it whole without them");
    };
    for (String w : s.warnings()) System.err.println("iptq: warning: " + w);
    return s;
  }

  /**
   * {@code module!function+0xoff} as WinDbg writes it: the module without its extension,
   * {@code +0x0} left out, the kernel as {@code nt}; null outside every module.
   */
  static String windbgName(String described) {
    if (described == null) return null;
    int bang = described.indexOf('!');
    int plus = described.indexOf('+');
    int end = bang >= 0 ? bang : plus >= 0 ? plus : described.length();
    String module = described.substring(0, end);
    int dot = module.lastIndexOf('.');
    if (dot > 0) module = module.substring(0, dot);
    // WinDbg calls the kernel nt, whichever of its builds is loaded
    if (List.of("ntoskrnl", "ntkrnlmp", "ntkrnlpa", "ntkrpamp").contains(module.toLowerCase(Locale.ROOT))) module = "nt";
    String rest = described.substring(end);
    if (rest.endsWith("+0x0")) rest = rest.substring(0, rest.length() - 4);
    return module + rest;
  }
}
