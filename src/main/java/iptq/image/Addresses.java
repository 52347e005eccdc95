package iptq.image;

/** Lookups over sorted address tables, with addresses compared unsigned (kernel addresses last). */
public final class Addresses {
  private Addresses() {}

  /**
   * The index of the last entry of {@code starts} (sorted unsigned, ascending) that is at or
   * below {@code address}, or -1 when every entry is above it.
   */
  public static int floor(long[] starts, long address) {
    int lo = 0, hi = starts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(starts[mid], address) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }
}
