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

  public static boolean isOnPath(String exe) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) return true;
    }
    return false;
  }
}
