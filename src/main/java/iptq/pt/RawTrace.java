package iptq.pt;

import iptq.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw Intel PT trace file (the bytes perf or ipt.sys write, nothing around them), read through
 * memory-mapped windows so that memory stays bounded whatever the file size, including files
 * over 2 GiB. The decoder asks for a new window starting at the packet it is about to decode
 * whenever fewer than {@link PacketDecoder#MAX_PACKET} bytes are left in the current one, so no
 * packet and no PSB is ever cut at a window boundary.
 */
public final class RawTrace implements AutoCloseable {
  /** The default window: large enough that remapping costs nothing measurable. */
  public static final int DEFAULT_WINDOW = 256 << 20;

  record Window(ByteBuffer buffer, boolean last) {}

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final int windowSize;

  private RawTrace(Path path, FileChannel channel, long size, int windowSize) {
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.windowSize = windowSize;
  }

  /** Opens a trace file for decoding. */
  public static RawTrace open(Path path) throws IOException {
    return open(path, DEFAULT_WINDOW);
  }

  /** Opens a trace file, mapping it {@code windowSize} bytes at a time (at least 64). */
  public static RawTrace open(Path path, int windowSize) throws IOException {
    if (windowSize < 2 * PacketDecoder.MAX_PACKET)
      throw new IllegalArgumentException("window too small: " + windowSize);
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new RawTrace(path, ch, ch.size(), windowSize);
    } catch (RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public long size() {
    return size;
  }

  /** A new decoder over the whole file, starting at offset 0. */
  public PacketDecoder decoder() {
    return new PacketDecoder(this);
  }

  Window window(long offset) {
    long len = Math.min(windowSize, size - offset);
    if (len <= 0) return new Window(ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN), true);
    try {
      ByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, offset, len);
      return new Window(b.order(ByteOrder.LITTLE_ENDIAN), offset + len >= size);
    } catch (IOException e) {
      throw new InputException(path, offset, "cannot map trace: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
