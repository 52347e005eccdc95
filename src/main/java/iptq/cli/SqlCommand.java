package iptq.cli;

import iptq.store.ResultFormat;
import iptq.store.ResultPrinter;
import iptq.store.Shell;
import iptq.store.SqlScript;
import iptq.store.Store;
import iptq.store.TerminalLines;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iptq sql DB [QUERY]}: runs SQL on a database, or opens the interactive shell. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Runs QUERY (one or more statements separated by ';') on the database DB, or, without"
          + " QUERY, opens an SQL shell (.help lists its commands).",
      "Results print as an aligned table on a terminal, as CSV in a pipe, or as --format says."
    })
public final class SqlCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DB", description = "An iptq database (from iptq ingest).")
  Path db;

  @Parameters(index = "1", arity = "0..1", paramLabel = "QUERY", description = "SQL to run; none opens the shell.")
  String query;

  @Option(names = {"-f", "--format"}, paramLabel = "FMT",
      description = "table, csv, tsv or json (default: table on a terminal, csv otherwise).")
  String format;

  @Option(names = "--write", description = "Open the database for writing (to add tables or views of your own).")
  boolean write;

  @Option(names = "--raw-numbers",
      description = "Addresses as plain numbers in CSV, TSV and JSON (default: 0x-hex text, which DuckDB reads back as text and casts with ::UBIGINT).")
  boolean rawNumbers;

  @Override
  public Integer call() throws Exception {
    // options are matched as positional text (so a query may start with "--"): a lone word
    // that starts with '-' in either place is an unknown option after all
    for (String word : new String[] {db.toString(), query}) {
      if (word != null && word.startsWith("-") && word.chars().noneMatch(Character::isWhitespace)
          && !exists(word)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "Unknown option: '" + word + "'");
      }
    }
    ResultFormat fmt = format == null ? ResultFormat.forOutput(Tty.stdout()) : Inputs.option(spec, () -> ResultFormat.parse(format));
    PrintWriter out = spec.commandLine().getOut();
    try (Connection conn = Store.open(db, !write)) {
      if (query != null) {
        for (String sql : SqlScript.statements(query)) {
          try (Statement st = conn.createStatement()) {
            if (st.execute(sql)) {
              try (ResultSet rs = st.getResultSet()) {
                ResultPrinter.forTerminal(fmt, Tty.width()).rawNumbers(rawNumbers).print(rs, out);
              }
            }
          }
        }
        out.flush();
        return 0;
      }
      return shell(conn, format == null ? null : fmt) ? 0 : 1;
    }
  }

  private static boolean exists(String path) {
    try {
      return java.nio.file.Files.exists(Path.of(path));
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  private boolean shell(Connection conn, ResultFormat fmt) throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (System.console() != null) {
      try (TerminalLines lines = new TerminalLines(() -> Shell.names(conn), () -> Shell.relations(conn))) {
        PrintWriter tout = lines.writer();
        tout.println("iptq " + VersionProvider.version() + " SQL shell on " + db
            + ". Statements end with ';'. .help for commands, .quit to leave.");
        return new Shell(conn, lines, tout, tout, fmt == null ? ResultFormat.TABLE : fmt, lines::width, true).run();
      }
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int width = Tty.width();
    return new Shell(conn, Shell.plain(in), spec.commandLine().getOut(), err,
        fmt == null ? ResultFormat.CSV : fmt, () -> width).run();
  }
}
