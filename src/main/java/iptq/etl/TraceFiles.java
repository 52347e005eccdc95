package iptq.etl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Tells the trace inputs apart by content: an .etl file, an ipt.sys trace file, or raw PT. */
public final class TraceFiles {
  private TraceFiles() {}

  /** {@code traces.kind}: "etl", "ipt-sys" or "raw-pt". */
  public static String kind(Path p) throws IOException {
    if (looksLikeEtl(p)) return "etl";
    if (IptSysFile.detect(p)) return "ipt-sys";
    return "raw-pt";
  }

  /** A first buffer header that makes sense, holding a logfile-header record (HookId 0). */
  public static boolean looksLikeEtl(Path p) throws IOException {
    return etlHead(p, false);
  }

  /**
   * A first buffer header that makes sense but claims more bytes than the file has: an .etl cut
   * inside its first buffer (the reader names the cut).
   */
  public static boolean looksLikeCutEtl(Path p) throws IOException {
    return !etlHead(p, false) && etlHead(p, true);
  }

  private static boolean etlHead(Path p, boolean cut) throws IOException {
    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
      if (c.size() < BufferHeader.SIZE + 8) return false;
      ByteBuffer b = ByteBuffer.allocate(BufferHeader.SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) if (c.read(b, b.position()) < 0) return false;
      BufferHeader h = BufferHeader.read(b, 0, 0);
      long size = Integer.toUnsignedLong(h.bufferSize());
      if (size < BufferHeader.SIZE || size > EtlFile.MAX_BUFFER || !cut && size > c.size()) return false;
      int marker = b.getInt(BufferHeader.SIZE);
      int type = (marker >>> 16) & 0xFF;
      return (marker >>> 24 & 0xC0) == 0xC0 && (type == 1 || type == 2)
          && b.getShort(BufferHeader.SIZE + 6) == 0;
    }
  }
}
