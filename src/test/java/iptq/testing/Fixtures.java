package iptq.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real third-party files in {@code ../shared/fixtures}, read in place, never copied. */
public final class Fixtures {
  private Fixtures() {}

  public static Path projectDir() {
    String env = System.getenv("IPTQ_PROJECT_DIR");
    return Path.of(env != null ? env : System.getProperty("user.dir")).toAbsolutePath().normalize();
  }

  public static Path dir() {
    return projectDir().resolve("../shared/fixtures").normalize();
  }

  /** A fixture by its path under {@code fixtures/}; fails (not skips) when it is missing. */
  public static Path path(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new AssertionError("fixture missing: " + p + " (../shared must sit beside the project)");
    }
    return p;
  }
}
