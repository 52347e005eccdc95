package iptq.cli;

import iptq.store.Store;
import iptq.view.ViewPage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iptq view DB [-o report.html] [--open]}: the database as one offline HTML page. */
@Command(
    name = "view",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write one self-contained HTML page about a database: timelines, flame charts, a flame graph.",
      "The page about the database DB has an overview (traces, segments by trigger and process, decode"
          + " health), per segment a flame chart of its call stacks with the triggering event marked and"
          + " the functions that ran before it, a flame graph of where the instructions went, and a search"
          + " for functions that links each to its segments.",
      "The page fetches nothing: it works offline, and no request leaves the file."
    })
public final class ViewCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DB", description = "An iptq database.")
  Path db;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "The page to write (default: DB with .html in place of its extension); an existing file is replaced.")
  Path output;

  @Option(names = "--open", description = "Open the page in the desktop's browser when it is written.")
  boolean open;

  @Option(names = "--max-segments", paramLabel = "N", defaultValue = "" + ViewPage.DEFAULT_CAP,
      description = "Draw at most N segments in detail (default: ${DEFAULT-VALUE}); the overview counts them all.")
  int cap;

  @CommandLine.Mixin PictureFilters filters;

  @Override
  public Integer call() throws Exception {
    if (cap < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--max-segments must be at least 1");
    Path out = output != null ? output : defaultOutput(db);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    long t0 = System.nanoTime();
    ViewPage.Written w;
    try (Connection conn = Store.open(db, true);
        Writer wr = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.UTF_8), 1 << 16)) {
      w = ViewPage.write(conn, filters.selection(spec), cap, db.getFileName().toString(), VersionProvider.version(), wr);
    }
    PrintWriter err = spec.commandLine().getErr();
    err.printf(Locale.ROOT, "wrote %s: %d segment(s)%s, %,d bytes, %.1f s%n", out, w.picked(),
        w.drawn() < w.picked() ? " (" + w.drawn() + " drawn in detail; --segment and the other filters pick others)" : "",
        w.bytes(), (System.nanoTime() - t0) / 1e9);
    err.flush();
    if (open) openInBrowser(out, err);
    return 0;
  }

  static Path defaultOutput(Path db) {
    String name = db.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return db.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".html");
  }

  private static void openInBrowser(Path page, PrintWriter err) throws IOException {
    java.net.URI uri = page.toAbsolutePath().toUri();
    if (!java.awt.GraphicsEnvironment.isHeadless() && java.awt.Desktop.isDesktopSupported()
        && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
      java.awt.Desktop.getDesktop().browse(uri);
      return;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String[] cmd = os.contains("win") ? new String[] {"cmd", "/c", "start", "", uri.toString()}
        : os.contains("mac") ? new String[] {"open", uri.toString()} : new String[] {"xdg-open", uri.toString()};
    try {
      new ProcessBuilder(cmd).inheritIO().start();
    } catch (IOException e) {
      err.println("no browser to open it with here (" + cmd[0] + " not found): open " + uri + " in one");
    }
  }
}
