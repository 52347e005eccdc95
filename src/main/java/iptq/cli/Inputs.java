package iptq.cli;

import iptq.InputException;
import iptq.ingest.FileKind;
import java.nio.file.Path;
import java.util.List;

/** Checks of the files named on the command line, before any is read: one clear line each. */
final class Inputs {
  private Inputs() {}

  /** An option's value parsed by {@code parse}; what it refuses is a usage error (exit 2). */
  static <T> T option(picocli.CommandLine.Model.CommandSpec spec, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (InputException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * The trace of {@code iptq packets} and {@code iptq insns} must be a raw Intel PT trace: an
   * .etl or ipt.sys file (or a dump, PE image, PDB) is never read as one, which would list
   * thousands of lines of nonsense. A file of no known kind is read: a raw trace cut from a ring
   * buffer may have no PSB in its first bytes.
   */
  static void requireRawTrace(Path trace, String command) throws java.io.IOException {
    InputException.requireFile(trace, "trace file");
    FileKind kind = FileKind.of(trace);
    switch (kind) {
      case RAW_PT, UNKNOWN -> {}
      case ETL, IPT_SYS -> throw new InputException(trace, -1, "an " + kind.description() + ", not a raw Intel PT"
          + " trace: iptq " + command + " lists one raw trace, or one segment of this one with --segment N"
          + " (of an ipt.sys file: --thread TID); iptq info counts them, iptq ingest decodes them all");
      default -> throw new InputException(trace, -1, "a " + kind.description() + ", not a raw Intel PT trace");
    }
  }

  /** The FILE of each {@code --image FILE@ADDR[@OFFSET@SIZE]} must be a file. */
  static void requireImageFiles(List<String> specs) {
    for (String spec : specs) {
      int at = spec.indexOf('@');
      if (at > 0) InputException.requireFile(Path.of(spec.substring(0, at)), "file of code bytes (--image)");
    }
  }
}
