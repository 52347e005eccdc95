package iptq.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Intel's libipt 2.2 as tools ({@code ../shared/tools/libipt-2.2}: ptxed, ptdump, pttc, the library
 * and its header), the decoding oracle. Tests that use it skip without {@code ../shared} (a fresh
 * clone) and are required in CI.
 *
 * <p>The kit in {@code ../shared} is read-only and its library symlinks arrive as small text files,
 * so it is laid out once per build under {@code target/libipt-2.2} with real symlinks; the tools
 * find the library there through their {@code $ORIGIN/../lib} run path.
 */
public final class LibiptKit {
  private LibiptKit() {}

  /** The kit as shipped, beside the project. */
  public static Path source() {
    return Fixtures.projectDir().resolve("../shared/tools/libipt-2.2").normalize();
  }

  private static Path home;

  /** Skips (or, in CI, fails) unless the kit is present; returns its usable layout. */
  public static synchronized Path require() {
    Path src = source();
    Required.that(Files.isRegularFile(src.resolve("lib/libipt.so.2.2.0")),
        "libipt 2.2 kit missing: " + src + " (../shared must sit beside the project)");
    if (home != null) return home;
    Path dst = Fixtures.projectDir().resolve("target/libipt-2.2");
    try {
      for (String dir : List.of("bin", "lib", "include")) Files.createDirectories(dst.resolve(dir));
      for (String tool : List.of("ptxed", "ptdump", "pttc")) {
        copyIfNewer(src.resolve("bin/" + tool), dst.resolve("bin/" + tool));
        dst.resolve("bin/" + tool).toFile().setExecutable(true);
      }
      copyIfNewer(src.resolve("lib/libipt.so.2.2.0"), dst.resolve("lib/libipt.so.2.2.0"));
      copyIfNewer(src.resolve("include/intel-pt.h"), dst.resolve("include/intel-pt.h"));
      link(dst.resolve("lib/libipt.so.2"), "libipt.so.2.2.0");
      link(dst.resolve("lib/libipt.so"), "libipt.so.2");
    } catch (IOException e) {
      throw new AssertionError("cannot lay out the libipt 2.2 kit under " + dst + ": " + e, e);
    }
    home = dst;
    return home;
  }

  public static Path ptxed() {
    return require().resolve("bin/ptxed");
  }

  public static Path ptdump() {
    return require().resolve("bin/ptdump");
  }

  /** pttc, which also needs yasm (Debian package {@code yasm}) on the PATH. */
  public static Path pttc() {
    Path p = require().resolve("bin/pttc");
    Required.onPath("yasm", "apt-get install yasm; pttc assembles .ptt files with it");
    return p;
  }

  /** gcc arguments that compile and link a C harness against the kit's header and library. */
  public static List<String> gccFlags() {
    Path kit = require();
    return List.of("-I" + kit.resolve("include"), "-L" + kit.resolve("lib"), "-lipt",
        "-Wl,-rpath," + kit.resolve("lib"));
  }

  /**
   * Runs pttc on {@code ptt} in {@code workDir} (where it writes NAME.pt, NAME.bin and the
   * expected NAME-ptxed.exp / NAME-ptdump.exp listings); {@code extra} are pttc options such as
   * {@code --cpu 6/94}. Returns pttc's standard output.
   */
  public static String pttc(Path ptt, Path workDir, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(pttc().toString()));
    cmd.addAll(List.of(extra));
    cmd.add(ptt.toAbsolutePath().toString());
    return run(cmd, workDir);
  }

  /** Runs a kit tool (or any command) in {@code dir}; fails the test on a non-zero exit. */
  public static String run(List<String> cmd, Path dir) throws IOException {
    Result r = runAllowingFailure(cmd, dir);
    if (r.exit() != 0) fail("exit " + r.exit() + ": " + cmd + "\n" + r.stderr() + r.stdout());
    return r.stdout();
  }

  /** What a command printed and how it ended. */
  public record Result(int exit, String stdout, String stderr) {}

  /** Runs a command in {@code dir}, whatever its exit code (ptxed and ptdump exit 1 on decode errors). */
  public static Result runAllowingFailure(List<String> cmd, Path dir) throws IOException {
    Path out = Files.createTempFile("iptq-kit", ".out");
    Path err = Files.createTempFile("iptq-kit", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      env.remove("LD_LIBRARY_PATH");
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("timed out: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static void copyIfNewer(Path from, Path to) throws IOException {
    if (Files.exists(to) && Files.size(to) == Files.size(from)
        && Files.getLastModifiedTime(to).compareTo(Files.getLastModifiedTime(from)) >= 0) {
      return;
    }
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void link(Path link, String target) throws IOException {
    if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().equals(target)) return;
    Files.deleteIfExists(link);
    if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.delete(link);
    Files.createSymbolicLink(link, Path.of(target));
  }
}
