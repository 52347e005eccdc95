package iptq;

/**
 * Strings decoded from a file (section, module, PDB and process names, logger names, ...) made
 * safe to print: a control character — ESC, CR, LF, BEL, the C1 range — is shown as {@code \xNN}
 * (or {@code \\uNNNN}), so that a name cannot move the cursor, clear the screen or split a
 * one-line message. Every string decoder of the readers and {@link InputException} apply it.
 */
public final class Printable {
  private Printable() {}

  public static String of(String s) {
    if (s == null) return null;
    int n = s.length();
    int i = 0;
    while (i < n && !control(s.charAt(i))) i++;
    if (i == n) return s; // the common case: nothing to change, nothing allocated
    StringBuilder b = new StringBuilder(n + 8).append(s, 0, i);
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (!control(c)) b.append(c);
      else if (c <= 0xFF) b.append(String.format("\\x%02x", (int) c));
      else b.append(String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }

  /** C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows. */
  static boolean control(char c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }
}
