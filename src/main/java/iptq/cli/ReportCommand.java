package iptq.cli;

import iptq.store.Export;
import iptq.store.Report;
import iptq.store.ResultFormat;
import iptq.store.ResultPrinter;
import iptq.store.Store;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iptq report NAME DB [--param K=V]...}: runs a canned report from {@code queries/}. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {"Runs the canned report NAME on the database DB; --list shows the reports and their parameters."})
public final class ReportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The report (see --list).")
  String name;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DB", description = "An iptq database.")
  Path db;

  @Option(names = "--list", description = "List the reports with their parameters and defaults.")
  boolean list;

  @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "A report parameter (repeatable).")
  List<String> params = new ArrayList<>();

  @Option(names = {"-f", "--format"}, paramLabel = "FMT",
      description = "table, csv, tsv, json or parquet (default: table on a terminal, csv otherwise).")
  String format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
  Path output;

  @Option(names = "--raw-numbers",
      description = "Addresses as plain numbers in CSV, TSV and JSON (default: 0x-hex text, which DuckDB reads back as text and casts with ::UBIGINT).")
  boolean rawNumbers;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (list || name == null) {
      for (Report r : Report.all()) {
        out.println(r.name() + " — " + r.title());
        out.println("    " + r.description());
        out.print(r.usage());
      }
      out.flush();
      return 0;
    }
    Map<String, String> given = new LinkedHashMap<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--param " + p + ": expected NAME=VALUE, e.g. --param last=5");
      }
      given.put(p.substring(0, eq).strip(), p.substring(eq + 1));
    }
    Report report = Report.load(name);
    if (db == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "which database? iptq report " + name + " DB");
    }
    boolean parquet = "parquet".equalsIgnoreCase(format);
    if (parquet && output == null) throw new CommandLine.ParameterException(spec.commandLine(), "--format parquet needs -o FILE");
    ResultFormat fmt = parquet ? null : format != null ? Inputs.option(spec, () -> ResultFormat.parse(format))
        : output == null ? ResultFormat.forOutput(Tty.stdout()) : ResultFormat.CSV;
    try (Connection conn = Store.open(db, true)) {
      for (String w : report.bind(conn, given)) spec.commandLine().getErr().println("iptq: warning: " + w);
      if (parquet) {
        Export.write(conn, report.sql(), Export.Format.PARQUET, output);
        return 0;
      }
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(report.sql())) {
        if (output == null) {
          ResultPrinter.forTerminal(fmt, Tty.width()).rawNumbers(rawNumbers).print(rs, out);
        } else {
          Path parent = output.toAbsolutePath().getParent();
          if (parent != null) Files.createDirectories(parent);
          try (PrintWriter w = new PrintWriter(new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8))) {
            new ResultPrinter(fmt, Integer.MAX_VALUE, Long.MAX_VALUE).rawNumbers(rawNumbers).print(rs, w);
          }
        }
      }
    }
    return 0;
  }
}
