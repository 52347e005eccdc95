package iptq.image;

import iptq.InputException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A little-endian file read through memory mapping, where every read is checked against the
 * file's size first: a size or offset taken from a hostile file becomes an {@link
 * InputException} naming the file and offset, never an exception of another kind or an
 * allocation larger than the file. Files larger than 2 GiB are mapped in 1 GiB windows.
 */
public final class BinFile implements Closeable {
  private static final int WINDOW_BITS = 30;
  private static final long WINDOW = 1L << WINDOW_BITS;

  private final Path path;
  private final long size;
  private final ByteBuffer[] windows;
  private final FileChannel channel;

  private BinFile(Path path, long size, ByteBuffer[] windows, FileChannel channel) {
    this.path = path;
    this.size = size;
    this.windows = windows;
    this.channel = channel;
  }

  public static BinFile open(Path path) {
    try {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      long size = ch.size();
      int n = (int) ((size + WINDOW - 1) >>> WINDOW_BITS);
      ByteBuffer[] w = new ByteBuffer[Math.max(n, 1)];
      if (n == 0) w[0] = ByteBuffer.allocate(0);
      for (int i = 0; i < n; i++) {
        long start = (long) i << WINDOW_BITS;
        w[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.min(WINDOW, size - start))
            .order(ByteOrder.LITTLE_ENDIAN);
      }
      return new BinFile(path, size, w, ch);
    } catch (NoSuchFileException e) {
      throw new InputException(path, -1, "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes already in memory, reported under {@code name} in errors (tests, writers). */
  public static BinFile of(Path name, byte[] data) {
    return new BinFile(name, data.length,
        new ByteBuffer[] {ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)}, null);
  }

  public Path path() {
    return path;
  }

  public long size() {
    return size;
  }

  public InputException error(long offset, String what) {
    return new InputException(path, offset, what);
  }

  /** Fails unless {@code [offset, offset + len)} lies inside the file. */
  public void check(long offset, long len, String what) {
    if (offset < 0 || len < 0 || offset > size || len > size - offset) {
      throw error(offset, what + " (" + len + " bytes at 0x" + Long.toHexString(offset)
          + ") lies past the end of the file (" + size + " bytes)");
    }
  }

  public boolean contains(long offset, long len) {
    return offset >= 0 && len >= 0 && offset <= size && len <= size - offset;
  }

  private int byteAt(long off) {
    return windows[(int) (off >>> WINDOW_BITS)].get((int) (off & (WINDOW - 1))) & 0xFF;
  }

  private boolean inOneWindow(long off, int len) {
    return (off >>> WINDOW_BITS) == ((off + len - 1) >>> WINDOW_BITS);
  }

  public int u8(long off, String what) {
    check(off, 1, what);
    return byteAt(off);
  }

  public int u16(long off, String what) {
    check(off, 2, what);
    if (inOneWindow(off, 2)) return windows[(int) (off >>> WINDOW_BITS)].getShort((int) (off & (WINDOW - 1))) & 0xFFFF;
    return byteAt(off) | byteAt(off + 1) << 8;
  }

  /** An unsigned 32-bit value. */
  public long u32(long off, String what) {
    check(off, 4, what);
    if (inOneWindow(off, 4)) return windows[(int) (off >>> WINDOW_BITS)].getInt((int) (off & (WINDOW - 1))) & 0xFFFFFFFFL;
    long v = 0;
    for (int i = 3; i >= 0; i--) v = v << 8 | byteAt(off + i);
    return v;
  }

  /** A 32-bit value that must fit in a non-negative int (a count or size). */
  public int u32int(long off, String what) {
    long v = u32(off, what);
    if (v > Integer.MAX_VALUE) throw error(off, what + " 0x" + Long.toHexString(v) + " is too large");
    return (int) v;
  }

  public long u64(long off, String what) {
    check(off, 8, what);
    if (inOneWindow(off, 8)) return windows[(int) (off >>> WINDOW_BITS)].getLong((int) (off & (WINDOW - 1)));
    long v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | byteAt(off + i);
    return v;
  }

  /** Copies {@code len} bytes at {@code off}; the range is checked against the file first. */
  public byte[] bytes(long off, int len, String what) {
    check(off, len, what);
    byte[] b = new byte[len];
    read(off, b, 0, len);
    return b;
  }

  /** Copies bytes of a range already checked to lie inside the file. */
  public void read(long off, byte[] dst, int dstOff, int len) {
    while (len > 0) {
      ByteBuffer w = windows[(int) (off >>> WINDOW_BITS)];
      int at = (int) (off & (WINDOW - 1));
      int n = Math.min(len, w.limit() - at);
      w.get(at, dst, dstOff, n);
      off += n;
      dstOff += n;
      len -= n;
    }
  }

  /** A UTF-16LE string of {@code byteLen} bytes. */
  public String utf16(long off, int byteLen, String what) {
    return iptq.Printable.of(new String(bytes(off, byteLen & ~1, what), StandardCharsets.UTF_16LE));
  }

  /** A NUL-terminated 8-bit string of at most {@code max} bytes (ends at the file's end too). */
  public String cstring(long off, int max, String what) {
    check(off, 0, what);
    long end = Math.min(size, off + max);
    long p = off;
    while (p < end && byteAt(p) != 0) p++;
    return iptq.Printable.of(new String(bytes(off, (int) (p - off), what), StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
