package iptq.store;

import iptq.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The claim of one ingest on its target: {@code .NAME.lock} beside it, holding the writer's pid.
 * A second ingest to the same target refuses, naming the first; a lock left by a process that no
 * longer runs (kill -9, a power cut) is taken over. The file appears whole or not at all: it is
 * written under a name of its own and then hard-linked into place, which fails if a lock is
 * already there.
 */
final class TargetLock implements AutoCloseable {
  private static final Pattern TEMP = Pattern.compile("\\..+\\.(\\d+)\\.tmp");

  /** The locks this process holds (a lock naming this pid but not here is stale: pid reuse). */
  private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Path file;
  private volatile boolean held = true;

  private TargetLock(Path file) {
    this.file = file;
  }

  static Path lockFile(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".lock");
  }

  /** Takes the lock on {@code target} (an absolute path), or throws naming the holder. */
  static TargetLock take(Path target) throws IOException {
    Path lock = lockFile(target);
    long me = ProcessHandle.current().pid();
    for (int attempt = 0; ; attempt++) {
      if (create(lock, me)) {
        HELD.add(lock);
        return new TargetLock(lock);
      }
      OptionalLong holder = holder(lock);
      boolean mine = holder.isPresent() && holder.getAsLong() == me;
      if (holder.isPresent() && (mine ? HELD.contains(lock) : alive(holder.getAsLong()))) {
        throw new InputException(target, -1, "another iptq (pid " + holder.getAsLong()
            + ") is writing this database; wait for it to finish (lock " + lock.getFileName() + ")");
      }
      if (holder.isEmpty() && attempt == 0) {
        // Being written this very moment by a process that has not linked it yet, or unreadable:
        // look once more before taking it over.
        sleep();
        continue;
      }
      if (attempt > 5) throw new InputException(target, -1, "cannot take the lock " + lock);
      // The holder is gone: its lock is stale.
      Files.deleteIfExists(lock);
    }
  }

  private static boolean create(Path lock, long pid) throws IOException {
    Path mine = lock.resolveSibling(lock.getFileName() + "." + pid);
    Files.write(mine, Long.toString(pid).getBytes(StandardCharsets.US_ASCII));
    try {
      Files.createLink(lock, mine);
      return true;
    } catch (FileAlreadyExistsException taken) {
      return false;
    } catch (UnsupportedOperationException | IOException noLinks) {
      // A file system without hard links: exclusive creation is the next best thing.
      try {
        Files.write(lock, Long.toString(pid).getBytes(StandardCharsets.US_ASCII),
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException taken) {
        return false;
      }
    } finally {
      Files.deleteIfExists(mine);
    }
  }

  private static OptionalLong holder(Path lock) {
    try {
      String s = Files.readString(lock, StandardCharsets.US_ASCII).trim();
      return OptionalLong.of(Long.parseLong(s));
    } catch (NoSuchFileException gone) {
      return OptionalLong.empty();
    } catch (IOException | NumberFormatException unreadable) {
      return OptionalLong.empty();
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Removes the temporary folders ({@code .NAME.PID.tmp}) that ingests into {@code dir} left
   * when they were killed: those whose process no longer runs.
   */
  static void removeStaleTemps(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = TEMP.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p)) continue;
        long pid;
        try {
          pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException notOurs) {
          continue;
        }
        if (pid != ProcessHandle.current().pid() && !alive(pid)) Store.deleteTreeQuietly(p);
      }
    } catch (IOException unreadable) {
      // nothing to clean, or not ours to clean
    }
  }

  @Override
  public void close() {
    if (!held) return;
    held = false;
    HELD.remove(file);
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale lock is taken over by the next ingest
    }
  }
}
