package iptq.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer with absolute puts, for the dump and PE writers. */
final class LeBuffer {
  private byte[] b = new byte[256];
  private int size;

  int size() {
    return size;
  }

  private void ensure(long end) {
    if (end > Integer.MAX_VALUE - 16) throw new IllegalStateException("buffer over 2 GiB");
    if (end > b.length) b = Arrays.copyOf(b, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 16, 2L * b.length)));
    if (end > size) size = (int) end;
  }

  /** Grows to at least {@code n} bytes (zero filled), returning the old size. */
  int reserve(int n) {
    int at = size;
    ensure((long) size + n);
    return at;
  }

  void align(int a) {
    ensure(((long) size + a - 1) / a * a);
  }

  LeBuffer u8(long at, int v) {
    ensure(at + 1);
    b[(int) at] = (byte) v;
    return this;
  }

  LeBuffer u16(long at, int v) {
    ensure(at + 2);
    b[(int) at] = (byte) v;
    b[(int) at + 1] = (byte) (v >>> 8);
    return this;
  }

  LeBuffer u32(long at, long v) {
    ensure(at + 4);
    for (int i = 0; i < 4; i++) b[(int) at + i] = (byte) (v >>> (8 * i));
    return this;
  }

  LeBuffer u64(long at, long v) {
    ensure(at + 8);
    for (int i = 0; i < 8; i++) b[(int) at + i] = (byte) (v >>> (8 * i));
    return this;
  }

  LeBuffer put(long at, byte[] src) {
    ensure(at + src.length);
    System.arraycopy(src, 0, b, (int) at, src.length);
    return this;
  }

  /** Appends and returns the offset written at. */
  int append(byte[] src) {
    int at = size;
    put(at, src);
    return at;
  }

  int appendUtf16z(String s) {
    byte[] t = s.getBytes(StandardCharsets.UTF_16LE);
    int at = size;
    put(at, t);
    u16(at + t.length, 0);
    return at;
  }

  int toArrayByte(int at) {
    return at < size ? b[at] & 0xFF : 0;
  }

  byte[] toArray() {
    return Arrays.copyOf(b, size);
  }
}
