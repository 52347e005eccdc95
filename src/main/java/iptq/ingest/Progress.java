package iptq.ingest;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of long work: a self-overwriting line on a terminal, nothing in a pipe (so scripts
 * and CI logs see only results).
 */
public final class Progress {
  private final PrintStream out;
  private final boolean enabled;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong segments = new AtomicLong();
  private volatile long totalBytes;
  private long lastPrint;
  private final long start = System.nanoTime();

  public Progress(PrintStream out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  /** To standard error when {@code enabled} (the command line decides: stderr a terminal). */
  public static Progress toStderr(boolean enabled) {
    return new Progress(System.err, enabled);
  }

  public static Progress silent() {
    return new Progress(System.err, false);
  }

  public void total(long totalBytes) {
    this.totalBytes = totalBytes;
  }

  public void segmentDone(long segmentBytes) {
    bytes.addAndGet(segmentBytes);
    segments.incrementAndGet();
    tick();
  }

  private synchronized void tick() {
    if (!enabled) return;
    long now = System.nanoTime();
    if (now - lastPrint < 200_000_000L) return;
    lastPrint = now;
    double secs = (now - start) / 1e9;
    long b = bytes.get();
    String pct = totalBytes > 0 ? String.format(" (%d%%)", Math.min(100, b * 100 / totalBytes)) : "";
    out.printf("\r  %,d segments, %,d KiB of trace%s, %.1f s   ", segments.get(), b >> 10, pct, secs);
    out.flush();
  }

  public synchronized void done() {
    if (enabled && lastPrint != 0) {
      out.print("\r" + " ".repeat(70) + "\r");
      out.flush();
    }
  }
}
