package iptq.sample;

import java.util.HashMap;
import java.util.Map;

/**
 * The flat 64-bit memory the sample's code runs in: 4 KiB pages made on first write, so a
 * process's images, data and stack cost only the pages they touch. Reading a page that was never
 * mapped is a fault: the sample's code is correct, so a fault means the interpreter is wrong.
 */
final class Memory {
  private static final int PAGE = 4096;
  private final Map<Long, byte[]> pages = new HashMap<>();
  /** The kernel half (addresses with the top bit set), shared by every process; null in the kernel itself. */
  private final Memory kernel;

  Memory(Memory kernel) {
    this.kernel = kernel;
  }

  /** Maps {@code bytes} at {@code address} (page-aligned start not required). */
  void load(long address, byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) page(address + i, true)[(int) ((address + i) & (PAGE - 1))] = bytes[i];
  }

  /** Maps zeroed pages over {@code [address, address + size)}. */
  void reserve(long address, long size) {
    for (long a = address & -PAGE; Long.compareUnsigned(a, address + size) < 0; a += PAGE) page(a, true);
  }

  private byte[] page(long address, boolean make) {
    if (kernel != null && address < 0) return kernel.page(address, make);
    long key = address >>> 12;
    byte[] p = pages.get(key);
    if (p == null) {
      if (!make) throw new IllegalStateException("memory fault at 0x" + Long.toHexString(address));
      p = new byte[PAGE];
      pages.put(key, p);
    }
    return p;
  }

  int u8(long address) {
    return page(address, false)[(int) (address & (PAGE - 1))] & 0xFF;
  }

  long read(long address, int size) {
    long v = 0;
    for (int i = size - 1; i >= 0; i--) v = v << 8 | u8(address + i);
    return v;
  }

  void write(long address, int size, long value) {
    for (int i = 0; i < size; i++) {
      page(address + i, false)[(int) ((address + i) & (PAGE - 1))] = (byte) (value >>> (8 * i));
    }
  }

  void bytes(long address, byte[] dst, int off, int len) {
    for (int i = 0; i < len; i++) dst[off + i] = (byte) u8(address + i);
  }
}
