package iptq.x86;

import capstone.Capstone;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the native capstone 4 library, which gives the instruction text, can be used here, and
 * if not, one line saying why and how to get it on each OS. iptq decodes without it: only the
 * text of the {@code instructions} table and of {@code iptq insns} is then missing.
 *
 * <p>The system property {@value #PROPERTY} names the library file to use instead of the system's
 * (e.g. a {@code capstone.dll} kept elsewhere: its folder is searched first); the tests point it
 * at a file that does not exist to see the message.
 */
public final class CapstoneLibrary {
  private CapstoneLibrary() {}

  public static final String PROPERTY = "iptq.capstone.library";

  /** How to get capstone 4, per OS; capstone-java checks for the 4.x API exactly. */
  public static final String HOW_TO_GET =
      "to get capstone 4.x: Debian/Ubuntu: apt install libcapstone4; Fedora: dnf install capstone;"
          + " macOS: brew install capstone; Windows: capstone.dll from capstone's 4.0.2 release"
          + " (capstone-4.0.2-win64.zip) on PATH or in iptq's lib folder;"
          + " or -D" + PROPERTY + "=FILE in IPTQ_JAVA_OPTS";

  private static boolean checked;
  private static String problem;

  /** Null when capstone loads; else what is wrong, in a few words, for {@link #message}. */
  public static synchronized String problem() {
    if (!checked) {
      problem = check(System.getProperty(PROPERTY));
      checked = true;
    }
    return problem;
  }

  /** The warning shown once when text is asked for and capstone is not usable. */
  public static String message(String problem) {
    return "iptq: warning: no instruction text: " + problem + " (decoding goes on without it); " + HOW_TO_GET;
  }

  private static String check(String wanted) {
    if (wanted != null && !wanted.isBlank()) {
      Path file = Path.of(wanted).toAbsolutePath();
      if (!Files.isRegularFile(file)) {
        return "libcapstone not found: " + wanted + " (-D" + PROPERTY + ") is no such file";
      }
      // capstone-java loads "capstone" by name: let JNA find that name in the file's folder.
      String dir = file.getParent().toString();
      String path = System.getProperty("jna.library.path");
      System.setProperty("jna.library.path", path == null || path.isEmpty() ? dir : dir + File.pathSeparator + path);
    }
    Disassembler.configureLibraryPath();
    try {
      new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64).close();
      return null;
    } catch (UnsatisfiedLinkError e) {
      return "libcapstone not found";
    } catch (RuntimeException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("API version")) {
        return "the libcapstone found is not version 4 (" + m + "; iptq needs capstone 4.x)";
      }
      return "libcapstone does not work here: " + m;
    }
  }
}
