package iptq.cli;

import java.util.Locale;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Whether standard output or standard error is a terminal, asked of each stream on its own.
 *
 * <p>Java 17's {@code System.console()} is non-null only when standard input <em>and</em>
 * standard output are terminals, so it cannot tell {@code iptq ingest … 2>log} (stderr a file)
 * from a plain run; {@code Console.isTerminal()} only came with Java 22. JLine, which the SQL
 * shell already uses, asks the operating system per stream: its JNI provider calls
 * {@code isatty(fd)} on Linux and macOS and {@code GetConsoleMode} on Windows (native parts for
 * each are in the JLine jar); where that provider cannot load, its exec provider runs
 * {@code test -t FD} with the stream inherited. No JNA, no {@code /proc} (absent on Windows and
 * macOS).
 */
final class Tty {
  private static final String[] PROVIDERS = {"jni", "exec"};
  private static volatile TerminalProvider provider;
  private static volatile boolean loaded;

  private Tty() {}

  /** True when standard error is a terminal. */
  static boolean stderr() {
    return is(SystemStream.Error);
  }

  /** True when standard output is a terminal. */
  static boolean stdout() {
    return is(SystemStream.Output);
  }

  /** The terminal's width in columns when standard output is one, else 0. */
  static int stdoutWidth() {
    TerminalProvider p = provider();
    if (p == null || !stdout()) return 0;
    try {
      return p.systemStreamWidth(SystemStream.Output);
    } catch (RuntimeException | LinkageError e) {
      return 0;
    }
  }

  /**
   * The width tables must fit: {@code $COLUMNS} when set (as shells and scripts set it), else
   * the terminal's own width when standard output is one, else 160.
   */
  static int width() {
    String c = System.getenv("COLUMNS");
    if (c != null) {
      try {
        int w = Integer.parseInt(c.strip());
        if (w > 0) return Math.max(20, w);
      } catch (NumberFormatException ignored) {
        // not a number: as if unset
      }
    }
    int w = stdoutWidth();
    return w > 0 ? w : 160;
  }

  /**
   * Whether long work shows a progress line on standard error: {@code IPTQ_PROGRESS=always} or
   * {@code never} decides; otherwise only where standard error is a terminal and not under CI
   * (whose log viewers are terminals of a sort but keep every {@code \r} line).
   */
  static boolean progress() {
    return progress(System.getenv("IPTQ_PROGRESS"), System.getenv("CI") != null, Tty::stderr);
  }

  static boolean progress(String setting, boolean ci, java.util.function.BooleanSupplier terminal) {
    if (setting != null && !setting.isBlank()) {
      switch (setting.strip().toLowerCase(Locale.ROOT)) {
        case "always", "1", "yes", "true" -> {
          return true;
        }
        case "never", "0", "no", "false" -> {
          return false;
        }
        default -> {
          // "auto" or anything else: decide as without the variable
        }
      }
    }
    return !ci && terminal.getAsBoolean();
  }

  private static boolean is(SystemStream s) {
    TerminalProvider p = provider();
    if (p == null) return false;
    try {
      return p.isSystemStream(s);
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static TerminalProvider provider() {
    if (!loaded) {
      synchronized (Tty.class) {
        if (!loaded) {
          for (String name : PROVIDERS) {
            try {
              provider = TerminalProvider.load(name);
              // the JNI provider unpacks its library into the temporary folder on first use: use it
              // once, then unlink the copy as DuckDB's is (a killed run would leave it behind)
              provider.isSystemStream(SystemStream.Output);
              iptq.store.NativeLibraries.unlinkUnpacked();
              break;
            } catch (Exception | LinkageError e) {
              // the next one
            }
          }
          loaded = true;
        }
      }
    }
    return provider;
  }
}
