package iptq.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** What an input file is, judged by its first bytes (never by its name). */
public enum FileKind {
  ETL("ETW trace (.etl)"),
  IPT_SYS("ipt.sys trace file"),
  RAW_PT("raw Intel PT trace"),
  MINIDUMP("user-mode minidump"),
  KERNEL_DUMP("kernel dump"),
  PE("PE image"),
  PDB("PDB (MSF 7.00)"),
  UNKNOWN("unknown");

  private final String description;

  FileKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  private static final byte[] PSB = {2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82,
      2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82};

  public static FileKind of(Path file) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file)) {
      while (head.hasRemaining() && ch.read(head) > 0) {
        // fill what the file has
      }
    }
    head.flip();
    return of(head);
  }

  static FileKind of(ByteBuffer b) {
    int n = b.remaining();
    if (n >= 4 && b.getInt(0) == 0x504D444D) return MINIDUMP;
    if (n >= 8 && b.getInt(0) == 0x45474150 && b.getInt(4) == 0x34365544) return KERNEL_DUMP;
    if (n >= 24 && startsWith(b, "Microsoft C/C++ MSF 7.00")) return PDB;
    if (n >= 2 && b.get(0) == 'M' && b.get(1) == 'Z') return PE;
    if (looksLikeEtl(b)) return ETL;
    if (startsWithPsb(b, 0)) return RAW_PT;
    if (looksLikeIptSys(b)) return IPT_SYS;
    // A raw trace may start mid-stream (a ring buffer dump): accept a PSB anywhere in the head.
    for (int i = 0; i + PSB.length <= n; i++) if (startsWithPsb(b, i)) return RAW_PT;
    return UNKNOWN;
  }

  private static boolean startsWith(ByteBuffer b, String ascii) {
    for (int i = 0; i < ascii.length(); i++) if (b.get(i) != ascii.charAt(i)) return false;
    return true;
  }

  private static boolean startsWithPsb(ByteBuffer b, int at) {
    if (at + PSB.length > b.remaining()) return false;
    for (int i = 0; i < PSB.length; i++) if (b.get(at + i) != PSB[i]) return false;
    return true;
  }

  /**
   * An ETL file starts with a buffer whose header gives its own size (a power of two of at least
   * 1 KiB) and whose first record, at 0x48, is the SYSTEM logfile header (HookId 0).
   */
  private static boolean looksLikeEtl(ByteBuffer b) {
    if (b.remaining() < 0x48 + 32) return false;
    int bufferSize = b.getInt(0);
    int saved = b.getInt(4);
    if (bufferSize < 1024 || Integer.bitCount(bufferSize) != 1 || saved > bufferSize || saved < 0x48) return false;
    int headerType = b.get(0x48 + 2) & 0xFF;
    int flags = b.get(0x48 + 3) & 0xFF;
    int hookId = b.getShort(0x48 + 6) & 0xFFFF;
    return (flags & 0xC0) == 0xC0 && (headerType == 1 || headerType == 2) && hookId == 0;
  }

  /**
   * An ipt.sys file is a series of 28-byte thread-block headers, each followed by TraceSize bytes
   * that begin (when the ring had not wrapped) with a PSB; check the first block's shape.
   */
  private static boolean looksLikeIptSys(ByteBuffer b) {
    if (b.remaining() < 28 + 16) return false;
    long tid = b.getLong(0);
    long traceSize = Integer.toUnsignedLong(b.getInt(24));
    long ring = Integer.toUnsignedLong(b.getInt(20));
    if (tid <= 0 || tid > 0xFFFFFFFFL || traceSize == 0 || ring > traceSize) return false;
    for (int i = 28; i + PSB.length <= b.remaining(); i++) if (startsWithPsb(b, i)) return true;
    return false;
  }
}
