package iptq.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clone's {@code ./iptq}, linked onto a PATH folder as a developer would ({@code ln -s
 * …/iptq ~/bin/iptq}) and run from elsewhere, finds its clone and the jar {@code package} just
 * built (it used to look for {@code ./mvnw} beside the link and exit 2); a link to the link too.
 */
class DevLauncherIT {
  @TempDir Path tmp;

  @Test
  void runsThroughSymlinksFromAnotherFolder() throws Exception {
    Path script = Fixtures.projectDir().resolve("iptq");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path other = Files.createDirectories(tmp.resolve("other"));
    Path link = Files.createSymbolicLink(bin.resolve("iptq"), script);
    Path linkToLink = Files.createSymbolicLink(other.resolve("iq"), Path.of("../bin/iptq"));
    Path cwd = Files.createDirectories(tmp.resolve("cwd"));
    // package has just made (or found up to date) target/iptq.jar; say so to the launcher, which
    // would otherwise build again inside this build when pom.xml is newer than an unchanged jar.
    Path jar = Fixtures.projectDir().resolve("target/iptq.jar");
    assertTrue(Files.isRegularFile(jar), jar + " built by package");
    Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
    for (Path l : new Path[] {link, linkToLink}) {
      String out = ReleaseArchiveIT.run(cwd, Map.of("PATH", bin + ":" + System.getenv("PATH")), 600, l.toString(), "--version");
      assertTrue(out.startsWith("iptq " + ReleaseArchiveIT.VERSION + "\n"), out);
      assertFalse(out.contains("building"), "the jar package built is used: " + out);
    }
    // And by name on the PATH, as a user types it.
    String out = ReleaseArchiveIT.run(cwd, Map.of("PATH", bin + ":" + System.getenv("PATH")), 600, "sh", "-c", "iptq --version");
    assertEquals("iptq " + ReleaseArchiveIT.VERSION, out.lines().findFirst().orElse(""));
  }
}
