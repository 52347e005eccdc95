package iptq.ingest;

import iptq.etl.EtlEvent;
import iptq.etl.EtlFile;
import iptq.etl.EtlStats;
import iptq.etl.IptSegment;
import iptq.etl.IptSegments;
import iptq.etl.LogfileHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** One pass over an .etl file: every event into the tables, every IPT buffer to a consumer. */
public final class EtlSource {
  private EtlSource() {}

  /** What the pass found. */
  public record Result(LogfileHeader header, EtlStats stats, Map<Integer, IptSegments.HookFinding> iptHooks,
      long events, long segments) {}

  /**
   * @param iptHook the HookId given with {@code --ipt-hook}, or -1 to recognise IPT events by structure
   * @param segments receives each IPT buffer in time order (decode it, then write its row with
   *     {@link EtlTables#segmentRow})
   */
  public static Result read(Path etl, int iptHook, EtlTables tables, Consumer<IptSegment> segments)
      throws IOException {
    try (EtlFile f = EtlFile.open(etl, new EtlFile.Options(iptHook))) {
      IptSegments ipt = new IptSegments(f.header(), iptHook);
      long n = 0;
      while (f.hasMoreEvents()) {
        EtlEvent e = f.readEvent();
        n++;
        tables.accept(e);
        ipt.accept(e).ifPresent(segments);
      }
      tables.finish();
      return new Result(f.header(), f.stats(), ipt.findings(), n, ipt.segments());
    }
  }
}
