package iptq.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Code bytes served from a minidump's memory ranges: the bytes as they were in memory when the
 * dump was written, so load-time rewrites (import optimization) are already in them. A minidump
 * holds one process, so {@code asid} is ignored.
 */
public final class MinidumpImage implements CodeImage {
  private final Minidump dump;
  private final Minidump.MemoryRange[] ranges;
  private final long[] starts;

  public MinidumpImage(Minidump dump) {
    this.dump = dump;
    List<Minidump.MemoryRange> kept = new ArrayList<>();
    long end = 0;
    boolean any = false;
    for (Minidump.MemoryRange r : dump.memory()) { // sorted by start
      if (r.size() == 0) continue;
      // Overlapping ranges (a thread stack also listed as a region) would make a lookup
      // ambiguous: the first one listed for an address wins.
      if (any && Long.compareUnsigned(r.start(), end) < 0) continue;
      kept.add(r);
      end = r.end();
      any = true;
    }
    ranges = kept.toArray(new Minidump.MemoryRange[0]);
    starts = new long[ranges.length];
    for (int i = 0; i < ranges.length; i++) starts[i] = ranges[i].start();
  }

  public Minidump dump() {
    return dump;
  }

  private Minidump.MemoryRange find(long address) {
    int hit = Addresses.floor(starts, address);
    if (hit < 0) return null;
    Minidump.MemoryRange r = ranges[hit];
    return Long.compareUnsigned(address - r.start(), r.size()) < 0 ? r : null;
  }

  /** Whether the dump holds the bytes of {@code [start, start + size)} completely. */
  public boolean covers(long start, long size) {
    long at = start;
    long end = start + size;
    while (Long.compareUnsigned(at, end) < 0) {
      Minidump.MemoryRange r = find(at);
      if (r == null) return false;
      at = r.end();
      if (at == 0) return true; // range reaches the top of the address space
    }
    return true;
  }

  @Override
  public int read(long asid, long address, byte[] dst, int off, int len) {
    Minidump.MemoryRange r = find(address);
    if (r == null) return 0;
    long from = address - r.start();
    int n = (int) Math.min(len, r.size() - from);
    dump.file().read(r.fileOffset() + from, dst, off, n);
    return n;
  }

  @Override
  public String describe(long asid, long address) {
    Minidump.Module m = dump.moduleAt(address);
    if (m != null) return shortName(m.name()) + "+0x" + Long.toHexString(address - m.base());
    Minidump.MemoryRange r = find(address);
    return r == null ? null : dump.path().getFileName() + ":0x" + Long.toHexString(address);
  }

  static String shortName(String path) {
    int i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
    return path.substring(i + 1);
  }

  /** One process's memory: the dump's address space, whatever the asid. */
  @Override
  public boolean sameInEveryAddressSpace(long address) {
    return true;
  }
}
