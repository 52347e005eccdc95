package iptq;

import java.nio.file.Path;

/**
 * A problem with a file the user gave us: it names the file, the byte offset and what was wrong,
 * so the CLI can print it as one line and exit with code 1.
 */
public class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Path file;
  private final long offset;

  public InputException(Path file, long offset, String what) {
    super(format(file, offset, what));
    this.file = file;
    this.offset = offset;
  }

  public InputException(Path file, long offset, String what, Throwable cause) {
    super(format(file, offset, what), cause);
    this.file = file;
    this.offset = offset;
  }

  /**
   * Fails unless {@code file} is a regular file: "no such file", or, for a folder given where a
   * file is wanted, says so ({@code wanted} names what was wanted, e.g. "trace file").
   */
  public static void requireFile(Path file, String wanted) {
    if (java.nio.file.Files.isRegularFile(file)) return;
    if (java.nio.file.Files.isDirectory(file)) {
      throw new InputException(file, -1, "is a directory, not a " + wanted);
    }
    if (java.nio.file.Files.exists(file)) throw new InputException(file, -1, "not a regular file (a " + wanted + " is wanted)");
    throw new InputException(file, -1, "no such file");
  }

  private static String format(Path file, long offset, String what) {
    // One line, whatever a file's names hold: what comes from a file is made printable.
    String where = file == null ? "" : Printable.of(file.toString());
    if (offset >= 0) where += (where.isEmpty() ? "" : ": ") + "offset 0x" + Long.toHexString(offset);
    what = Printable.of(what);
    return where.isEmpty() ? what : where + ": " + what;
  }

  public Path file() {
    return file;
  }

  /** The byte offset in {@link #file()}, or -1 where the problem is not at one place. */
  public long offset() {
    return offset;
  }
}
