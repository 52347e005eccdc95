package iptq.sample;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the sample's committed files are: {@code sample/bin} (the built PE files and PDBs) and
 * {@code sample/data} (the bundled session {@code iptq demo} ingests), found beside the jar or
 * classes iptq runs from (the launcher runs {@code target/iptq.jar} of a clone), else under the
 * working directory.
 */
public final class SampleFiles {
  private SampleFiles() {}

  /** The project root: the folder holding {@code sample/}. */
  public static Path root() {
    try {
      Path code = Path.of(SampleFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = code; p != null; p = p.getParent()) {
        if (Files.isDirectory(p.resolve("sample").resolve("bin"))) return p;
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // fall back to the working directory
    }
    return Path.of("").toAbsolutePath();
  }

  public static Path bin() {
    return root().resolve("sample").resolve("bin");
  }

  public static Path data() {
    return root().resolve("sample").resolve("data");
  }
}
