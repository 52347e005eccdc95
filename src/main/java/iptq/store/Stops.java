package iptq.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ctrl-C (SIGINT) and SIGTERM: one line, "interrupted", the unfinished database and its lock
 * removed, and exit 130 or 143 at once. Left to the JVM, the shutdown hooks would close DuckDB
 * and Arrow under the threads still loading batches, and those threads' failures (a stack trace,
 * "Memory was leaked by query") would be printed before the process ends.
 */
public final class Stops {
  private static final List<Runnable> CLEANUPS = new CopyOnWriteArrayList<>();
  private static volatile boolean stopping;

  private Stops() {}

  /** Installs the handlers (for the command line; tests running in-process leave them alone). */
  @SuppressWarnings("removal")
  public static void install() {
    handle("INT", 130);
    handle("TERM", 143);
    // A worker thread failing because the stop pulled its files away says nothing either.
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      if (stopping) return;
      if (before != null) before.uncaughtException(t, e);
      else {
        System.err.print("Exception in thread \"" + t.getName() + "\" ");
        e.printStackTrace();
      }
    });
  }

  private static void handle(String name, int exit) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop(exit));
    } catch (IllegalArgumentException unsupported) {
      // not on this platform (Windows has no SIGTERM), or reserved by the JVM's options
    }
  }

  /** Whether a stop is under way: failures seen now are its consequence, not worth a message. */
  public static boolean stopping() {
    return stopping;
  }

  /** When a stop is under way, waits for it to end the process (with its own exit code). */
  public static void awaitStop() {
    while (stopping) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        // the stop ends the process in a moment
      }
    }
  }

  /** Runs {@code cleanup} if the process is stopped before {@link #remove} is called. */
  static void add(Runnable cleanup) {
    CLEANUPS.add(cleanup);
  }

  static void remove(Runnable cleanup) {
    CLEANUPS.remove(cleanup);
  }

  private static void stop(int exit) {
    synchronized (Stops.class) {
      if (stopping) return;
      stopping = true;
    }
    System.err.println("iptq: interrupted");
    System.err.flush();
    for (Runnable r : CLEANUPS) {
      try {
        r.run();
      } catch (Throwable ignored) {
        // the next one still runs; a left-over folder is removed by the next ingest
      }
    }
    System.out.flush();
    Runtime.getRuntime().halt(exit);
  }
}
