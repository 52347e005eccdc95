package iptq.view;

import iptq.InputException;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;

/** The export formats for trace viewers, by the names {@code iptq export --format} takes. */
public enum Pictures {
  CHROME_TRACE("chrome-trace"),
  SPEEDSCOPE("speedscope"),
  FOLDED("folded");

  private final String cli;

  Pictures(String cli) {
    this.cli = cli;
  }

  public String cliName() {
    return cli;
  }

  /** The picture format named {@code s}, or null when it names none (a table format, say). */
  public static Pictures byName(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    for (Pictures p : values()) if (p.cli.equals(l)) return p;
    return null;
  }

  /** Segments of a chrome-trace or speedscope export when no --max-segments is given, as view's cap. */
  public static final int DEFAULT_CAP = ViewPage.DEFAULT_CAP;

  /**
   * What an export wrote: the segments the filters picked, those written (the first {@code cap}
   * in event order), and the segments or stack lines in the file; {@code note} says what was left
   * out, null when nothing was.
   */
  public record Written(int picked, int written, long units, String note) {}

  /** Writes every picked segment to {@code out} in this format; returns segments or stack lines written. */
  public long write(Connection conn, Selection sel, Path out, String version) throws Exception {
    return write(conn, sel, Integer.MAX_VALUE, out, version).units();
  }

  /** Writes the first {@code cap} picked segments (in event order) to {@code out} in this format. */
  public Written write(Connection conn, Selection sel, int cap, Path out, String version) throws Exception {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    List<SegmentInfo> all = FlowReader.segments(conn, sel);
    if (all.isEmpty()) throw new InputException(null, -1, "no segment matches the filters");
    List<SegmentInfo> picked = all.subList(0, Math.min(all.size(), Math.max(1, cap)));
    String note = picked.size() == all.size() ? null : String.format(Locale.ROOT,
        "segments 1–%,d of %,d are in this file (--max-segments %d); use --segment, --trace, --pid, --tid, --from/--to"
            + " or --max-segments to choose others", picked.size(), all.size(), picked.size());
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
      long units = switch (this) {
        case CHROME_TRACE -> ChromeTrace.write(conn, picked, note, os, version);
        case SPEEDSCOPE -> Speedscope.write(conn, picked, note, os, version, out.getFileName().toString());
        case FOLDED -> Folded.write(conn, picked, new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8)));
      };
      return new Written(all.size(), picked.size(), units, note);
    }
  }
}
