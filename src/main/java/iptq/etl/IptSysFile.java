package iptq.etl;

import iptq.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NoSuchElementException;

/**
 * A trace file of ipt.sys's IOCTL interface: per-thread blocks, each a 28-byte header (ThreadId
 * u64, TimingSettings, MtcFrequency, FrequencyToTscRatio, RingBufferOffset, TraceSize, all u32)
 * followed by TraceSize bytes of that thread's ring buffer. One {@link IptSegment} per block,
 * read one at a time.
 */
public final class IptSysFile implements AutoCloseable {
  public static final int BLOCK_HEADER = 28;
  /** The largest ring accepted: ipt.sys allocates at most 2^15 pages of 4 KiB. */
  public static final long MAX_RING = 128L << 20;

  /** A block's header. */
  public record Block(long fileOffset, long threadId, int timingSettings, int mtcFrequency,
      int frequencyToTscRatio, int ringBufferOffset, int traceSize) {}

  private final Path path;
  private final FileChannel ch;
  private final long size;
  private long next;

  /** What is wrong with a file read as ipt.sys blocks, and where. */
  record Problem(long offset, String why) {}

  private IptSysFile(Path path) throws IOException {
    this.path = path;
    this.ch = FileChannel.open(path, StandardOpenOption.READ);
    this.size = ch.size();
    Problem bad = check(ch, size);
    if (bad != null) {
      ch.close();
      throw new InputException(path, bad.offset(), "a damaged ipt.sys trace file: " + bad.why());
    }
  }

  public static IptSysFile open(Path path) throws IOException {
    return new IptSysFile(path);
  }

  /** True when the file is a chain of valid blocks ending exactly at the end of the file. */
  public static boolean detect(Path path) throws IOException {
    try (FileChannel c = FileChannel.open(path, StandardOpenOption.READ)) {
      return check(c, c.size()) == null;
    }
  }

  /**
   * Whether the file starts like an ipt.sys trace file even where its chain of blocks is broken
   * (cut inside a header, a field out of range, a TraceSize past the end): a first header whose
   * thread id is a non-zero 32-bit number, with small timing fields. Raw Intel PT never starts so
   * (a trace starts with a PSB or PAD bytes), so such a file is read as a damaged ipt.sys file and
   * its reader names what is wrong, rather than decoded as a raw trace.
   */
  public static boolean looksLike(ByteBuffer head) {
    int n = head.remaining();
    if (n < 8) return false;
    ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    long tid = b.getLong(p);
    if (tid <= 0 || tid > 0xFFFF_FFFFL) return false;
    if (n >= 16 && (Integer.toUnsignedLong(b.getInt(p + 8)) > 255 || Integer.toUnsignedLong(b.getInt(p + 12)) > 255)) return false;
    return true;
  }

  private static Block header(FileChannel c, long at) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(BLOCK_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (c.read(b, at + b.position()) < 0) return null;
    }
    return new Block(at, b.getLong(0), b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20), b.getInt(24));
  }

  /** Why the file is not a valid chain of blocks, and where, or null. */
  private static Problem check(FileChannel c, long size) throws IOException {
    long at = 0;
    int n = 0;
    while (at < size || n == 0) {
      if (size - at < BLOCK_HEADER) {
        return new Problem(at, "block " + (n + 1) + "'s 28-byte header is cut off after " + (size - at) + " bytes");
      }
      Block k = header(c, at);
      Problem bad = invalid(k, size);
      if (bad != null) return new Problem(bad.offset(), "block " + (n + 1) + ": " + bad.why());
      at += BLOCK_HEADER + Integer.toUnsignedLong(k.traceSize());
      n++;
    }
    return null;
  }

  private static Problem invalid(Block k, long fileSize) {
    long at = k.fileOffset();
    long trace = Integer.toUnsignedLong(k.traceSize());
    if (k.threadId() < 0 || k.threadId() > 0xFFFF_FFFFL) return new Problem(at, "ThreadId 0x" + Long.toHexString(k.threadId()) + " is not a thread id");
    if (Integer.toUnsignedLong(k.timingSettings()) > 15) {
      return new Problem(at + 8, "TimingSettings " + Integer.toUnsignedString(k.timingSettings()) + " is out of range (0 to 15)");
    }
    if (Integer.toUnsignedLong(k.mtcFrequency()) > 15) {
      return new Problem(at + 12, "MtcFrequency " + Integer.toUnsignedString(k.mtcFrequency()) + " is out of range (0 to 15)");
    }
    if (trace > MAX_RING) return new Problem(at + 24, "TraceSize " + trace + " is larger than any ipt.sys ring (" + MAX_RING + ")");
    if (at + BLOCK_HEADER + trace > fileSize) {
      return new Problem(at + 24, "TraceSize " + trace + " runs past the end of the file (" + (fileSize - at - BLOCK_HEADER) + " bytes follow the header)");
    }
    if (Integer.toUnsignedLong(k.ringBufferOffset()) > trace) {
      return new Problem(at + 20, "RingBufferOffset " + Integer.toUnsignedString(k.ringBufferOffset()) + " lies past the ring's " + trace + " bytes");
    }
    return null;
  }

  /** The ring size of the next block (what {@link #next()} will allocate), or 0 at the end. */
  public long nextSize() throws IOException {
    if (!hasNext()) return 0;
    Block k = header(ch, next);
    return k == null ? 0 : Integer.toUnsignedLong(k.traceSize());
  }

  public boolean hasNext() {
    return next < size;
  }

  /** The next block as a segment: the ring unrolled from the first PSB after RingBufferOffset. */
  public IptSegment next() throws IOException {
    if (!hasNext()) throw new NoSuchElementException();
    Block k = header(ch, next);
    if (k == null) throw new InputException(path, next, "a damaged ipt.sys trace file: block header cut off");
    Problem bad = invalid(k, size);
    if (bad != null) throw new InputException(path, bad.offset(), "a damaged ipt.sys trace file: " + bad.why());
    // TraceSize was checked against what the file holds; the caller bounds how many rings are
    // held at once (Ingest's heap budget).
    byte[] ring = new byte[k.traceSize()];
    ByteBuffer b = ByteBuffer.wrap(ring);
    while (b.hasRemaining()) {
      if (ch.read(b, next + BLOCK_HEADER + b.position()) < 0) throw new InputException(path, next, "cut off");
    }
    next += BLOCK_HEADER + ring.length;
    int offset = k.ringBufferOffset();
    ByteBuffer data = ByteBuffer.wrap(ring).asReadOnlyBuffer();
    boolean wrapped = false;
    int skipped = 0;
    if (offset > 0 && offset < ring.length) {
      // Unrolled in place, so a ring costs its size once, not twice.
      int k2 = firstPsb(ring, offset);
      skipped = k2 < 0 ? ring.length : k2;
      // Found before wrapping past the end: the bytes after the write position were trace data.
      wrapped = skipped < ring.length - offset;
      if (k2 < 0) {
        data = ByteBuffer.allocate(0).asReadOnlyBuffer();
      } else {
        int start = (offset + k2) % ring.length;
        rotateLeft(ring, start);
        data = ByteBuffer.wrap(ring, 0, ring.length - k2).slice().asReadOnlyBuffer();
      }
    }
    IptOption option = IptOption.of(0, k.timingSettings(), k.mtcFrequency(), 0, 0, 0, false, 0);
    return new IptSegment(-1, Long.MIN_VALUE, 0, -1, -1, (int) k.threadId(), null, -1, -1, option,
        ring.length, k.fileOffset() + BLOCK_HEADER, ring.length, offset, wrapped, skipped, data);
  }

  /** How far from {@code from} (circularly) the first PSB starts, or -1 (as {@link IptSegment#unroll}). */
  private static int firstPsb(byte[] ring, int from) {
    int n = ring.length;
    for (int k = 0; k < n; k++) {
      int s = (from + k) % n;
      if (ring[s] != 2) continue;
      boolean psb = true;
      for (int i = 1; i < 16 && psb; i++) psb = ring[(s + i) % n] == ((i & 1) == 0 ? 2 : (byte) 0x82);
      if (psb) return k;
    }
    return -1;
  }

  /** Rotates {@code a} left by {@code k} in place (three reversals). */
  static void rotateLeft(byte[] a, int k) {
    if (k == 0) return;
    reverse(a, 0, k);
    reverse(a, k, a.length);
    reverse(a, 0, a.length);
  }

  private static void reverse(byte[] a, int from, int to) {
    for (int i = from, j = to - 1; i < j; i++, j--) {
      byte t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
