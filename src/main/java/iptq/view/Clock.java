package iptq.view;

/**
 * Maps a segment's instruction axis to time (ns since the trace start): piecewise linear between
 * the blocks where the time estimate moved (the timing packets), and at the same mean rate
 * before the first and after the last of them. A segment whose blocks all carry one time
 * estimate has no clock: {@link #of} returns null.
 */
public final class Clock {
  private final long[] pos;
  private final long[] ns;
  private final double rate;

  private Clock(long[] pos, long[] ns) {
    this.pos = pos;
    this.ns = ns;
    int n = pos.length - 1;
    this.rate = (double) (ns[n] - ns[0]) / Math.max(1, pos[n] - pos[0]);
  }

  /** Anchors: instruction positions (increasing) and their times; null below two distinct times. */
  static Clock of(long[] pos, long[] ns, int n) {
    if (n < 2) return null;
    return new Clock(java.util.Arrays.copyOf(pos, n), java.util.Arrays.copyOf(ns, n));
  }

  /** Time at instruction {@code p}, never less than at any earlier position. */
  public double at(long p) {
    int n = pos.length;
    if (p <= pos[0]) return ns[0] - (pos[0] - p) * rate;
    if (p >= pos[n - 1]) return ns[n - 1] + (p - pos[n - 1]) * rate;
    int i = java.util.Arrays.binarySearch(pos, p);
    if (i >= 0) return ns[i];
    int hi = -i - 1, lo = hi - 1;
    return ns[lo] + (double) (ns[hi] - ns[lo]) * (p - pos[lo]) / (pos[hi] - pos[lo]);
  }
}
