package iptq.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need something outside the clone (a system tool, {@code ../shared}):
 * without it the test is skipped with a message naming what is missing and how to get it; in CI
 * ({@code CI=true}) it fails instead, because there everything is installed by {@code .ci/run}.
 */
public final class Required {
  private Required() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips (or, in CI, fails) the calling test with {@code why} unless {@code present}. */
  public static void that(boolean present, String why) {
    if (present) return;
    if (inCi()) fail(why + ": required in CI");
    System.err.println("SKIPPED: " + why);
    Assumptions.abort(why);
  }

  /** Skips (or, in CI, fails) unless {@code exe} is on the PATH; {@code install} says how to get it. */
  public static void onPath(String exe, String install) {
    that(isOnPath(exe), exe + " is not installed (" + install + ")");
  }

  /**
   * Skips (or, in CI, fails) unless {@code exe} is on the PATH; the message names the Debian
   * package {@code .ci/run} installs it from.
   */
  public static void tool(String exe) {
    onPath(exe, "apt-get install " + debianPackage(exe));
  }

  /** The Debian package of a tool the tests run (all of them are in {@code .ci/run}). */
  static String debianPackage(String exe) {
    if (exe.equals("lld-link") || exe.equals("ld.lld")) return "lld";
    if (exe.startsWith("llvm-")) return "llvm";
    if (exe.equals("objdump")) return "binutils";
    if (exe.equals("gcc")) return "gcc libc6-dev";
    if (exe.startsWith("chromium")) return "chromium";
    return exe; // clang, yasm, hyperfine: the package is the tool's name
  }

  /**
   * Skips (or, in CI, fails) unless the native capstone 4 library loads, by the same check iptq
   * makes before it gives instruction text.
   */
  public static void capstone() {
    String problem = iptq.x86.CapstoneLibrary.problem();
    that(problem == null, "capstone is not usable: " + problem + " (apt-get install libcapstone-dev)");
  }

  /** Skips (or, in CI, fails) unless Debian's libipt (2.0.5, libipt-dev) and gcc are installed. */
  public static void libipt() {
    that(Files.isRegularFile(Path.of("/usr/include/intel-pt.h")), "libipt is not installed (apt-get install libipt-dev)");
    tool("gcc");
  }

  public static boolean isOnPath(String exe) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) return true;
    }
    return false;
  }
}
