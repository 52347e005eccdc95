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

  private IptSysFile(Path path) throws IOException {
    this.path = path;
    this.ch = FileChannel.open(path, StandardOpenOption.READ);
    this.size = ch.size();
    String why = check(ch, size);
    if (why != null) {
      ch.close();
      throw new InputException(path, -1, "not an ipt.sys trace file: " + why);
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

  private static Block header(FileChannel c, long at) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(BLOCK_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (c.read(b, at + b.position()) < 0) return null;
    }
    return new Block(at, b.getLong(0), b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20), b.getInt(24));
  }

  /** Why the file is not a valid chain of blocks, or null. */
  private static String check(FileChannel c, long size) throws IOException {
    if (size < BLOCK_HEADER) return "shorter than one block header";
    long at = 0;
    while (at < size) {
      Block k = size - at < BLOCK_HEADER ? null : header(c, at);
      String bad = k == null ? "a block header is cut off at offset " + at : invalid(k, size);
      if (bad != null) return bad;
      at += BLOCK_HEADER + Integer.toUnsignedLong(k.traceSize());
    }
    return null;
  }

  private static String invalid(Block k, long fileSize) {
    long trace = Integer.toUnsignedLong(k.traceSize());
    if (k.threadId() < 0 || k.threadId() > 0xFFFF_FFFFL) return "thread id " + k.threadId() + " at " + k.fileOffset();
    if (Integer.toUnsignedLong(k.timingSettings()) > 15 || Integer.toUnsignedLong(k.mtcFrequency()) > 15) {
      return "timing settings out of range at " + k.fileOffset();
    }
    if (trace > MAX_RING) return "trace size " + trace + " at " + k.fileOffset();
    if (k.fileOffset() + BLOCK_HEADER + trace > fileSize) return "trace size runs past the end at " + k.fileOffset();
    if (Integer.toUnsignedLong(k.ringBufferOffset()) > trace) return "ring offset past the trace at " + k.fileOffset();
    return null;
  }

  public boolean hasNext() {
    return next < size;
  }

  /** The next block as a segment: the ring unrolled from the first PSB after RingBufferOffset. */
  public IptSegment next() throws IOException {
    if (!hasNext()) throw new NoSuchElementException();
    Block k = header(ch, next);
    if (k == null || invalid(k, size) != null) throw new InputException(path, next, "bad block header");
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
      IptSegment.Unrolled u = IptSegment.unroll(data, offset);
      // Found before wrapping past the end: the bytes after the write position were trace data.
      wrapped = u.skipped() < ring.length - offset;
      data = u.data();
      skipped = u.skipped();
    }
    IptOption option = IptOption.of(0, k.timingSettings(), k.mtcFrequency(), 0, 0, 0, false, 0);
    return new IptSegment(-1, Long.MIN_VALUE, 0, -1, -1, (int) k.threadId(), null, -1, -1, option,
        ring.length, k.fileOffset() + BLOCK_HEADER, ring.length, offset, wrapped, skipped, data);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
