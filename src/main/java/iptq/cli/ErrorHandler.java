package iptq.cli;

import iptq.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns the failures a user can cause (bad input files, bad SQL, missing files) into one clear
 * line and exit code 1; anything else is a bug and keeps its stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    // Ctrl-C or SIGTERM: Stops has said "interrupted" and ends the process; what failed because
    // of it is not news.
    iptq.store.Stops.awaitStop();
    Throwable t = ex;
    if (t instanceof UncheckedIOException u) t = u.getCause();
    if (t instanceof CommandLine.TypeConversionException) {
      // an option value checked late (e.g. a number inside --cpuid-15 EAX:EBX): a usage error
      return Main.usageError(cl, t.getMessage());
    }
    if (t instanceof InputException || t instanceof IOException || t instanceof java.sql.SQLException) {
      cl.getErr().println("iptq: " + message(t));
      return 1;
    }
    cl.getErr().println("iptq: internal error: " + t);
    t.printStackTrace(cl.getErr());
    return 2;
  }

  private static String message(Throwable t) {
    if (t instanceof java.nio.file.NoSuchFileException n) return n.getFile() + ": no such file";
    if (t instanceof java.nio.file.FileAlreadyExistsException f)
      return f.getFile() + ": already exists";
    String m = t.getMessage();
    return m == null ? t.toString() : m;
  }
}
