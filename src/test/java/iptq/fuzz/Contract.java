package iptq.fuzz;

import iptq.InputException;
import java.nio.file.Path;

/**
 * The contract every reader keeps for any bytes: it returns, or it throws iptq's {@link
 * InputException} naming the file and an offset in it, in one printable line. Anything else (an
 * {@code IndexOutOfBoundsException}, an {@code OutOfMemoryError}, a message that breaks a line)
 * is a finding. Time is bounded too: a reader that takes longer than {@link #MAX_MILLIS} for one
 * small input is a finding, whether or not it would end.
 */
final class Contract {
  /** Generous for inputs of a few KiB, even on a loaded 2-core machine in JIT warm-up. */
  static final long MAX_MILLIS = 10_000;

  interface Body {
    void run() throws Exception;
  }

  private Contract() {}

  static void holds(Path file, Body body) {
    long t0 = System.nanoTime();
    try {
      body.run();
    } catch (InputException e) {
      String m = e.getMessage();
      if (e.file() == null || !e.file().equals(file)) throw new AssertionError("does not name the file " + file + ": " + m, e);
      if (e.offset() < 0) throw new AssertionError("names no offset: " + m, e);
      for (int i = 0; i < m.length(); i++) {
        char c = m.charAt(i);
        if (c < 0x20 || c == 0x7f) throw new AssertionError("a control character (0x" + Integer.toHexString(c) + ") in: " + m, e);
      }
    } catch (Exception e) {
      throw new AssertionError("not an InputException: " + e, e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (ms > MAX_MILLIS) throw new AssertionError("took " + ms + " ms");
  }
}
