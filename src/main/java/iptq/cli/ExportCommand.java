package iptq.cli;

import iptq.store.Export;
import iptq.store.Store;
import iptq.view.Pictures;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iptq export DB TABLE|QUERY --format csv|parquet|json|arrow -o FILE}. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {"Write a table, view or query to a file (csv, parquet, json, arrow) or a trace viewer's format.",
        "Writes a table, view or query of the database DB to FILE, with DuckDB's own writers"
        + " (COPY for csv, parquet and json; its Arrow export for arrow, an Arrow IPC file)."})
public final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DB", description = "An iptq database.")
  Path db;

  @Parameters(index = "1", arity = "0..1", paramLabel = "TABLE|QUERY",
      description = "A table or view name, or a SELECT statement (not for chrome-trace, speedscope, folded).")
  String what;

  @Option(names = {"-f", "--format"}, required = true, paramLabel = "FMT", description = "csv, parquet, json (an array, one object per line) or arrow; or, for trace viewers,"
      + " chrome-trace (Perfetto, chrome://tracing), speedscope, folded (flamegraph.pl, inferno).")
  String format;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The file to write.")
  Path output;

  @CommandLine.Mixin PictureFilters filters;

  @Option(names = "--max-segments", paramLabel = "N",
      description = "chrome-trace, speedscope, folded: write at most the first N picked segments, in event order (default: "
          + Pictures.DEFAULT_CAP + " for chrome-trace and speedscope, whose files grow by about 150 KB and 35 KB per segment"
          + " of 85,000 instructions; all for folded).")
  Integer cap;

  @Option(names = "--raw-numbers",
      description = "Addresses as plain numbers in CSV and JSON (default: 0x-hex text, which DuckDB reads back as text and casts with ::UBIGINT).")
  boolean rawNumbers;

  @Override
  public Integer call() throws Exception {
    Pictures picture = Pictures.byName(format);
    if (picture != null) return picture(picture);
    if (what == null) throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'TABLE|QUERY'");
    if (cap != null) throw new CommandLine.ParameterException(spec.commandLine(), "--max-segments goes with chrome-trace, speedscope and folded");
    Export.Format fmt = Inputs.option(spec, () -> Export.format(format));
    try (Connection conn = Store.open(db, true)) {
      long rows = Export.write(conn, Export.query(conn, what), fmt, output, rawNumbers);
      if (Tty.stderr()) spec.commandLine().getErr().println("wrote " + rows + " rows to " + output);
    }
    return 0;
  }

  private int picture(Pictures picture) throws Exception {
    if (what != null) throw new CommandLine.ParameterException(spec.commandLine(),
        "--format " + picture.cliName() + " draws segments; choose them with --segment, --trace, --pid, --tid, --from, --to, not '" + what + "'");
    if (cap != null && cap < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--max-segments must be at least 1");
    int max = cap != null ? cap : picture == Pictures.FOLDED ? Integer.MAX_VALUE : Pictures.DEFAULT_CAP;
    try (Connection conn = Store.open(db, true)) {
      Pictures.Written w = picture.write(conn, filters.selection(spec), max, output, VersionProvider.version());
      // what was left out is said wherever stderr goes, as view says it
      if (w.note() != null) System.err.println("iptq: note: " + w.note());
      if (Tty.stderr()) {
        spec.commandLine().getErr().println("wrote " + w.units() + (picture == Pictures.FOLDED ? " stacks" : " segments") + " to " + output);
      }
    }
    return 0;
  }
}
