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

  /** Writes the picked segments to {@code out} in this format; returns segments or stack lines written. */
  public long write(Connection conn, Selection sel, Path out, String version) throws Exception {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    if (FlowReader.segments(conn, sel).isEmpty()) throw new InputException(null, -1, "no segment matches the filters");
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
      return switch (this) {
        case CHROME_TRACE -> ChromeTrace.write(conn, sel, os, version);
        case SPEEDSCOPE -> Speedscope.write(conn, sel, os, version, out.getFileName().toString());
        case FOLDED -> Folded.write(conn, sel, new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8)));
      };
    }
  }
}
