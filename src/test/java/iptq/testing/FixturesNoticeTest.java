package iptq.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed third-party fixtures and their NOTICE agree: every file is listed with its exact
 * size, hash, origin and licence, and every listed file is there, byte for byte (a checkout that
 * converted line endings, or a fixture swapped without a NOTICE line, fails here).
 */
class FixturesNoticeTest {
  private static final Pattern ROW = Pattern.compile(
      "^\\| `([^`]+)` \\| ([0-9,]+) \\| `([0-9a-f]{64})` \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE);

  @Test
  void everyFixtureIsListedWithItsSizeHashOriginAndLicence() throws Exception {
    Path dir = Fixtures.dir();
    String notice = Files.readString(dir.resolve("NOTICE.md"));
    Set<String> listed = new TreeSet<>();
    Matcher m = ROW.matcher(notice);
    while (m.find()) {
      String name = m.group(1);
      listed.add(name);
      Path file = Fixtures.path(name);
      assertEquals(Long.parseLong(m.group(2).replace(",", "")), Files.size(file), name + ": size");
      assertEquals(m.group(3), sha256(file), name + ": SHA-256");
      assertTrue(m.group(4).trim().length() > 3, name + ": origin");
      assertTrue(m.group(5).trim().length() > 3, name + ": licence");
    }
    assertEquals(files(dir), listed, "files under " + dir + " vs. rows of its NOTICE.md");
  }

  @Test
  void fixturesAreFoundInTheCloneNotBesideIt() {
    Path dir = Fixtures.dir().toAbsolutePath().normalize();
    assertTrue(dir.startsWith(Fixtures.projectDir()), dir + " is outside " + Fixtures.projectDir());
  }

  private static Set<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<String> all = s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(n -> !n.equals("NOTICE.md")).toList();
      return new TreeSet<>(all);
    }
  }

  private static String sha256(Path p) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }
}
