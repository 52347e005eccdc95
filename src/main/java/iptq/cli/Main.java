package iptq.cli;

import java.util.ArrayList;
import java.util.List;
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
    return configure(new CommandLine(new Main()));
  }

  /**
   * The tree for these arguments: when the first one names a command, the top command with only
   * that subcommand, else the whole tree. picocli builds every option of every command it is
   * given by reflection, a few hundred milliseconds for the whole tree on a busy machine, which a
   * short run such as {@code iptq insns} or {@code iptq packets} should not spend on the eleven
   * commands it does not run. What that command parses, prints and returns is the same in both
   * ({@code MainTest}).
   */
  public static CommandLine commandLine(String[] args) {
    if (args.length > 0) {
      for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
        Command sub = c.getAnnotation(Command.class);
        if (c == CommandLine.HelpCommand.class || !sub.name().equals(args[0])) continue;
        CommandLine.Model.CommandSpec top = CommandLine.Model.CommandSpec.wrapWithoutInspection(new Main());
        top.name("iptq");
        CommandLine cl = new CommandLine(top);
        try {
          cl.addSubcommand(sub.name(), c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        return configure(cl);
      }
    }
    return commandLine();
  }

  private static CommandLine configure(CommandLine cl) {
    synopsisWrappedBetweenOptions(cl);
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine at = ex.getCommandLine();
      int rc = usageError(at, ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, at.getErr());
      return rc;
    });
    // A query that starts with an SQL comment ("-- ...") is a query, not an option: SqlCommand
    // then tells a mistyped option from SQL itself.
    CommandLine sql = cl.getSubcommands().get("sql");
    if (sql != null) sql.setUnmatchedOptionsArePositionalParams(true);
    return cl;
  }

  /**
   * picocli wraps a long synopsis inside words, at '-', '.' or ',' ("[--⏎[no-]packets]",
   * "[--cpuid-0x15.⏎ebx=N]"): every command's synopsis is laid out again, broken only between
   * whole options.
   */
  private static void synopsisWrappedBetweenOptions(CommandLine cl) {
    cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, Main::synopsis);
    for (CommandLine sub : cl.getSubcommands().values()) synopsisWrappedBetweenOptions(sub);
  }

  public static String synopsis(CommandLine.Help help) {
    CommandLine.Model.UsageMessageSpec u = help.commandSpec().usageMessage();
    int width = u.width();
    String one;
    // picocli.usage.width, when set, overrides any width given: it is set aside while the
    // synopsis is rendered on one line, which is then broken between options
    String property = System.clearProperty("picocli.usage.width");
    try {
      u.width(4000);
      one = help.synopsis(help.synopsisHeadingLength()).strip();
    } finally {
      u.width(width);
      if (property != null) System.setProperty("picocli.usage.width", property);
    }
    String name = help.commandSpec().qualifiedName();
    if (!one.startsWith(name)) return help.synopsis(help.synopsisHeadingLength());
    int indent = help.synopsisHeadingLength() + name.length() + 1;
    List<String> words = new ArrayList<>();
    int depth = 0, start = name.length() + 1;
    for (int i = start; i <= one.length(); i++) {
      char c = i < one.length() ? one.charAt(i) : ' ';
      if (c == '[' || c == '(') depth++;
      else if (c == ']' || c == ')') depth--;
      else if (c == ' ' && depth == 0) {
        if (i > start) words.add(one.substring(start, i));
        start = i + 1;
      }
    }
    StringBuilder out = new StringBuilder(name);
    int col = help.synopsisHeadingLength() + name.length();
    for (String w : words) {
      if (col + 1 + w.length() > width && col > indent) {
        out.append('\n').append(" ".repeat(indent)).append(w);
        col = indent + w.length();
      } else {
        out.append(' ').append(w);
        col += 1 + w.length();
      }
    }
    return out.append('\n').toString();
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
    int rc = commandLine(args).execute(args);
    iptq.store.Stops.awaitStop();
    System.exit(rc);
  }
}
