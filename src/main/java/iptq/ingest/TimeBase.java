package iptq.ingest;

import iptq.pt.PacketClock;
import iptq.table.TableWriter;

/**
 * How a segment's packet times become {@code ts} (ns since trace start): the timing parameters
 * of the CPU, the TSC frequency, and the TSC value at ts = 0. Without a frequency there is no ns
 * time, only the TSC estimate; without an origin, the segment's first TSC is ts = 0 (right for a
 * raw trace, which is one segment).
 */
public record TimeBase(PacketClock.Config clock, long tscHz, long tscOrigin) {
  public static final TimeBase UNKNOWN = new TimeBase(PacketClock.Config.DEFAULT, TableWriter.NULL, TableWriter.NULL);

  public boolean hasFrequency() {
    return tscHz != TableWriter.NULL && tscHz > 0;
  }

  /** ns since trace start for an estimated TSC, or {@link TableWriter#NULL}. */
  public long toNs(long tsc, long origin) {
    if (tsc < 0 || !hasFrequency() || origin == TableWriter.NULL) return TableWriter.NULL;
    // Doubles keep ~15 significant digits: ns precision for spans up to weeks, and no overflow.
    return Math.round((tsc - origin) * (1e9 / tscHz));
  }
}
