package iptq.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DuckDB's JDBC driver and Arrow's C Data interface unpack their native libraries into the
 * temporary folder on every run ({@code libduckdb_java*.so}, 57 MB, and {@code jnilib-*.tmp}) and
 * only ask for them to be deleted at a normal exit; a killed run leaves them behind. Once loaded
 * they are no longer needed on disk: on Linux a loaded library can be unlinked, so iptq loads both
 * at once and deletes the files it finds mapped into its own process. Windows cannot delete a
 * loaded DLL; there the drivers' own delete-at-exit is all there is (docs/bad-input.md).
 */
public final class NativeLibraries {
  private static volatile boolean done;

  private NativeLibraries() {}

  /** Loads DuckDB's and Arrow's native code, then removes their unpacked files. Idempotent. */
  public static synchronized void load() {
    if (done) return;
    done = true;
    try {
      Class.forName("org.duckdb.DuckDBNative", true, NativeLibraries.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      // the driver reports this itself when a connection is made
    }
    try {
      org.apache.arrow.c.jni.JniLoader.get().ensureLoaded();
    } catch (RuntimeException | LinkageError e) {
      // as above, when Arrow's C Data interface is first used
    }
    unlinkUnpacked();
  }

  /** The unpacked copies among this process's mapped files (Linux: /proc/self/maps). */
  public static void unlinkUnpacked() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) return;
    try {
      for (String line : Files.readAllLines(maps)) {
        int slash = line.indexOf('/');
        if (slash < 0 || line.endsWith("(deleted)")) continue;
        Path p = Path.of(line.substring(slash));
        String name = p.getFileName().toString();
        if ((name.startsWith("libduckdb_java") || name.startsWith("jnilib-")) && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
        }
        if (name.startsWith("jlinenative-") && Files.isRegularFile(p)) { // JLine's, with its lock file
          Files.deleteIfExists(p);
          Files.deleteIfExists(p.resolveSibling(name + ".lck"));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the drivers delete them at exit anyway
    }
  }
}
