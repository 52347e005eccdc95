package iptq.ingest;

import iptq.InputException;
import iptq.etl.IptSegment;
import iptq.etl.IptSysFile;
import iptq.image.CodeImage;
import iptq.image.RawImage;
import iptq.pt.PacketClock;
import iptq.symbols.SymbolMap;
import iptq.symsrv.SymbolServer;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import iptq.table.TableWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One IPT segment of an .etl or ipt.sys file, with the code and names ingest would decode it
 * against: the same modules (from the trace's Image events), dumps, image path and symbol stores.
 * Segments are numbered from 1 in file order, as ingest numbers them ({@code segments.segment_id}
 * of a one-trace database).
 */
public final class OneSegment implements AutoCloseable {
  /** Where code and names come from: ingest's options of the same names. */
  public record Sources(List<Path> dumps, List<Path> imagePaths, List<String> symbols, List<String> rawImages,
      boolean importRewrite, Integer iptHook, SymbolServer.Options symbolServer) {}

  private final SegmentInput input;
  private final CodeImage image;
  private final SymbolMap symbols;
  private final List<String> warnings;
  /** Releases what the segment's code context holds (dumps, mapped images). */
  private final Runnable owned;

  private OneSegment(SegmentInput input, CodeImage image, SymbolMap symbols, List<String> warnings, Runnable owned) {
    this.input = input;
    this.image = image;
    this.symbols = symbols;
    this.warnings = warnings;
    this.owned = owned;
  }

  /** Segment {@code n} (from 1) of an .etl file. */
  public static OneSegment etl(Path etl, long n, Sources src) throws IOException {
    int hook = src.iptHook() == null ? -1 : src.iptHook();
    List<ModulesTable.Module> modules = new ArrayList<>();
    List<ProcessesTable.Process> processes = new ArrayList<>();
    EtlSource.Result learned = EtlSource.read(etl, hook,
        new EtlTables(0, 0, 0, null, processes::add, null, modules::add), s -> {});
    int mhz = learned.header().cpuSpeedMHz();
    TimeBase time = new TimeBase(PacketClock.Config.DEFAULT, mhz > 0 ? mhz * 1_000_000L : TableWriter.NULL, TableWriter.NULL);
    SegmentInput[] pick = new SegmentInput[1];
    long[] count = new long[1];
    EtlSource.read(etl, hook, new EtlTables(0, 0, 0, null, p -> {}, null, m -> {}), s -> {
      if (++count[0] == n) pick[0] = EtlSegmentInputs.of(s, n, 0, 0, Ingest.segmentTime(s, time));
    });
    if (pick[0] == null) {
      throw new InputException(etl, -1, "--segment " + n + ": the trace has " + count[0] + " IPT segment(s), numbered 1 to "
          + count[0] + " (iptq info lists them)");
    }
    SymbolServer store = new SymbolServer(Ingest.storePath(src.symbols()),
        src.symbolServer() == null ? SymbolServer.Options.defaults() : src.symbolServer());
    WindowsCodeContext code = new WindowsCodeContext(modules, processes, src.dumps(), src.imagePaths(), store,
        src.rawImages(), src.importRewrite());
    boolean any = !src.dumps().isEmpty() || !src.imagePaths().isEmpty() || !src.rawImages().isEmpty() || code.codeFromStores();
    CodeImage image = any ? code.imageFor(pick[0]) : null;
    // no summary follows a listing: the PDBs not found are warnings here
    List<String> warnings = new ArrayList<>(code.warnings());
    warnings.addAll(code.details());
    return new OneSegment(pick[0], image, code.symbolsFor(pick[0]), warnings, code::close);
  }

  /** The segment of thread {@code tid} (or, with tid null, segment {@code n}) of an ipt.sys file. */
  public static OneSegment iptSys(Path file, Long tid, long n, Sources src) throws IOException {
    List<IptSegment> all = new ArrayList<>();
    SegmentInput pick = null;
    try (IptSysFile f = IptSysFile.open(file)) {
      while (f.hasNext()) {
        IptSegment s = f.next();
        all.add(s);
        boolean hit = tid != null ? s.tid() == tid : all.size() == n;
        if (hit && pick == null) {
          pick = EtlSegmentInputs.of(s, all.size(), 0, 0, Ingest.segmentTime(s, TimeBase.UNKNOWN));
        }
      }
    }
    if (pick == null) {
      StringBuilder tids = new StringBuilder();
      for (IptSegment s : all) tids.append(tids.length() == 0 ? "" : ", ").append(s.tid());
      throw new InputException(file, -1, (tid != null ? "--thread " + tid + ": no such thread" : "--segment " + n + ": no such segment")
          + "; the file has " + all.size() + " thread block(s)" + (all.isEmpty() ? "" : " (threads " + tids + ")"));
    }
    RawImage raw = src.rawImages().isEmpty() ? null : RawImage.of(src.rawImages());
    return new OneSegment(pick, raw, new SymbolMap(List.of()), List.of(), () -> {});
  }

  public SegmentInput input() {
    return input;
  }

  /** The code to decode against, or null when none was given (then only packets can be listed). */
  public CodeImage image() {
    return image;
  }

  public SymbolMap symbols() {
    return symbols;
  }

  public List<String> warnings() {
    return warnings;
  }

  @Override
  public void close() {
    owned.run();
  }
}
