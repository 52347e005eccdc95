package iptq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code iptq} command: a picocli tree of subcommands, one per stage a user asks about. */
@Command(
    name = "iptq",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Intel Processor Trace captured on Windows, decoded into SQL tables.",
    subcommands = {
      CommandLine.HelpCommand.class,
      IngestCommand.class,
      InfoCommand.class,
      ProfileCommand.class,
      PacketsCommand.class,
      InsnsCommand.class,
      SqlCommand.class,
      ReportCommand.class,
      ExportCommand.class,
      ViewCommand.class,
      SampleCommand.class,
      DemoCommand.class,
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine at = ex.getCommandLine();
      int rc = usageError(at, ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, at.getErr());
      return rc;
    });
    // A query that starts with an SQL comment ("-- ...") is a query, not an option: SqlCommand
    // then tells a mistyped option from SQL itself.
    cl.getSubcommands().get("sql").setUnmatchedOptionsArePositionalParams(true);
    return cl;
  }

  /**
   * A usage error (unknown option, missing argument, bad option value): one line, a pointer to
   * the command's help, exit code 2 (the full help is one --help away, not in the way).
   */
  static int usageError(CommandLine at, String message) {
    at.getErr().println("iptq: " + message);
    at.getErr().println("Try '" + at.getCommandSpec().qualifiedName() + " --help' for more information.");
    at.getErr().flush();
    return CommandLine.ExitCode.USAGE;
  }

  public static void main(String[] args) {
    iptq.store.Stops.install();
    int rc = commandLine().execute(args);
    iptq.store.Stops.awaitStop();
    System.exit(rc);
  }
}
