package iptq.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds and locates the C harnesses in {@code src/test/c} that run Intel's reference decoder
 * (libipt, Debian {@code libipt-dev}). Where libipt is missing the differential tests are skipped
 * with a message that says so; in CI ({@code CI=true}) they fail instead, because there they are
 * required.
 */
public final class Libipt {
  private Libipt() {}

  /** Skips (or, in CI, fails) the calling test when libipt or gcc is not installed. */
  public static void require() {
    Required.libipt();
  }

  /**
   * Compiles {@code src/test/c/NAME.c} against libipt (once per build, into target/c) and
   * returns the executable.
   */
  public static synchronized Path harness(String name) {
    require();
    Path src = Fixtures.projectDir().resolve("src/test/c/" + name + ".c");
    Path out = Fixtures.projectDir().resolve("target/c/" + name);
    try {
      Path header = src.resolveSibling("harness_file.h"); // every harness includes it
      if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0
          || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(header)) < 0) {
        Files.createDirectories(out.getParent());
        run(List.of("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString(), "-lipt"));
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot build " + src + ": " + e, e);
    }
  }

  /**
   * Compiles {@code src/test/c/NAME.c} against libipt 2.2 (the kit's header and library, see
   * {@link LibiptKit}; once per build, into target/c-2.2) and returns the executable. Skips (or,
   * in CI, fails) without the kit or gcc.
   */
  public static synchronized Path kitHarness(String name) {
    List<String> flags = LibiptKit.gccFlags();
    Required.onPath("gcc", "apt-get install gcc; the C harnesses are built with it");
    Path src = Fixtures.projectDir().resolve("src/test/c/" + name + ".c");
    Path out = Fixtures.projectDir().resolve("target/c-2.2/" + name);
    try {
      Path header = src.resolveSibling("harness_file.h");
      if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0
          || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(header)) < 0) {
        Files.createDirectories(out.getParent());
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString()));
        cmd.addAll(flags);
        run(cmd);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot build " + src + " against libipt 2.2: " + e, e);
    }
  }

  /**
   * The harness {@code src/test/c/NAME.c} built against libipt 2.2 (the kit, required: skips
   * without it, fails in CI) and, where Debian's libipt 2.0.5 is installed (always in CI), built
   * against it too: the oracles a differential test compares with, 2.2 first.
   */
  public static List<Path> oracles(String name) {
    List<Path> all = new ArrayList<>(List.of(kitHarness(name)));
    try {
      all.add(harness(name));
    } catch (org.opentest4j.TestAbortedException e) {
      // Debian's libipt missing outside CI: 2.2 alone
    }
    return all;
  }

  /** Runs a command, returning its standard output; fails the test on a non-zero exit. */
  public static String run(List<String> cmd) throws IOException {
    Path outFile = Files.createTempFile("iptq-harness", ".out");
    Path errFile = Files.createTempFile("iptq-harness", ".err");
    try {
      Process p = new ProcessBuilder(new ArrayList<>(cmd))
          .redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("timed out: " + cmd);
      }
      if (p.exitValue() != 0) {
        fail("exit " + p.exitValue() + ": " + cmd + "\n" + Files.readString(errFile));
      }
      return Files.readString(outFile);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(outFile);
      Files.deleteIfExists(errFile);
    }
  }
}
