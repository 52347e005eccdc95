package iptq.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real third-party files the tests read, committed under {@code src/test/resources/fixtures}
 * (origins and licences in its {@code NOTICE.md}), so that a fresh clone passes its tests with
 * nothing beside it. Found on the test classpath; a run without one (a bench's {@code main}
 * started by hand) falls back to the project folder.
 */
public final class Fixtures {
  private Fixtures() {}

  public static Path projectDir() {
    String env = System.getenv("IPTQ_PROJECT_DIR");
    return Path.of(env != null ? env : System.getProperty("user.dir")).toAbsolutePath().normalize();
  }

  public static Path dir() {
    URL notice = Fixtures.class.getResource("/fixtures/NOTICE.md");
    if (notice != null && "file".equals(notice.getProtocol())) {
      try {
        return Path.of(notice.toURI()).getParent();
      } catch (URISyntaxException e) {
        // fall through to the project folder
      }
    }
    return projectDir().resolve("src/test/resources/fixtures");
  }

  /** A fixture by its path under {@code fixtures/}; fails (not skips): they are part of the clone. */
  public static Path path(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new AssertionError("fixture missing: " + p + " (src/test/resources/fixtures holds them)");
    }
    return p;
  }
}
