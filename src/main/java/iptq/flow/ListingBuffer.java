package iptq.flow;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Listing lines straight into one large byte buffer, written out a megabyte at a time. An
 * instruction line of {@code --ip-only} is 17 bytes and a listing has tens of millions of them,
 * so building a String per line and encoding it through a Writer cost more than decoding the
 * trace; here an IP becomes its 16 hex digits with a few arithmetic steps and two 8-byte stores.
 * Not thread-safe; {@link #flush()} at the end.
 */
public final class ListingBuffer implements FlowListing.Lines {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int SIZE = 1 << 20;
  /** The longest fixed part of an instruction line: "? ", 16 digits, two spaces, newline. */
  private static final int INSN_MAX = 2 + 16 + 2 + 1;

  private final OutputStream out;
  private final byte[] buf = new byte[SIZE];
  private int n;

  public ListingBuffer(OutputStream out) {
    this.out = out;
  }

  @Override
  public void line(CharSequence line) {
    int len = line.length();
    room(len + 1);
    if (len + 1 > SIZE) {
      write(line.toString().getBytes(StandardCharsets.UTF_8));
      buf[n++] = '\n';
      return;
    }
    n = ascii(line, len);
    buf[n++] = '\n';
  }

  @Override
  public void insn(boolean speculative, long ip, CharSequence text) {
    int tl = text == null ? 0 : text.length();
    room(INSN_MAX + tl);
    byte[] b = buf;
    int i = n;
    if (speculative) {
      b[i++] = '?';
      b[i++] = ' ';
    }
    LONGS.set(b, i, hex8((int) (ip >>> 32)));
    LONGS.set(b, i + 8, hex8((int) ip));
    i += 16;
    if (text != null) {
      b[i++] = ' ';
      b[i++] = ' ';
      n = i;
      if (INSN_MAX + tl > SIZE) {
        write(text.toString().getBytes(StandardCharsets.UTF_8));
        i = n;
      } else {
        i = ascii(text, tl);
      }
    }
    b[i++] = '\n';
    n = i;
  }

  /** Writes what is buffered to the stream and flushes it. */
  public void flush() {
    try {
      drain();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The eight hex digits of {@code x}, most significant first, as eight ASCII bytes in a
   * little-endian long: each nibble spread into its own byte, the byte order reversed so that
   * the first digit is stored first, then '0'..'9' or 'a'..'f' added without a branch.
   */
  static long hex8(int x) {
    long v = x & 0xffffffffL;
    v = (v | v << 16) & 0x0000ffff0000ffffL;
    v = (v | v << 8) & 0x00ff00ff00ff00ffL;
    v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fL;
    v = Long.reverseBytes(v);
    long letters = ((v + 0x0606060606060606L) >>> 4) & 0x0101010101010101L; // 1 in each byte ≥ 10
    return v + 0x3030303030303030L + letters * ('a' - '0' - 10);
  }

  /** Copies {@code s} (room checked) at n; returns the new end. Non-ASCII text goes as UTF-8. */
  private int ascii(CharSequence s, int len) {
    byte[] b = buf;
    int i = n;
    for (int k = 0; k < len; k++) {
      char c = s.charAt(k);
      if (c >= 0x80) {
        n = i;
        write(s.subSequence(k, len).toString().getBytes(StandardCharsets.UTF_8));
        return n;
      }
      b[i++] = (byte) c;
    }
    return i;
  }

  private void room(int len) {
    if (n + len > SIZE) drain();
  }

  /** Appends bytes that may not fit the buffer (rare: very long or non-ASCII text). */
  private void write(byte[] bytes) {
    if (n + bytes.length <= SIZE - INSN_MAX) {
      System.arraycopy(bytes, 0, buf, n, bytes.length);
      n += bytes.length;
      return;
    }
    drain();
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void drain() {
    if (n == 0) return;
    try {
      out.write(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    n = 0;
  }
}
