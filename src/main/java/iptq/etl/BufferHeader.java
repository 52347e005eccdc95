package iptq.etl;

import java.nio.ByteBuffer;

/**
 * The 0x48-byte WMI_BUFFER_HEADER at the start of every buffer of an .etl file. Fields that
 * the kernel reuses for in-memory pointers (0x20, 0x38–0x47) are kept raw.
 */
public record BufferHeader(long fileOffset, int bufferSize, int savedOffset, int currentOffset,
    int referenceCount, long timeStamp, long sequenceNumber, long clockAndFrequency,
    int processorIndex, int loggerId, int state, int offset, int bufferFlag, int bufferType,
    long reserved1, long reserved2) {
  public static final int SIZE = 0x48;

  public static final int FLAG_FLUSH_MARKER = 0x1;
  public static final int FLAG_EVENTS_LOST = 0x2;
  public static final int FLAG_BUFFER_LOST = 0x4;
  public static final int FLAG_RTBACKUP_CORRUPT = 0x8;
  public static final int FLAG_RTBACKUP = 0x10;
  public static final int FLAG_PROC_INDEX = 0x20;
  public static final int FLAG_COMPRESSED = 0x40;

  public static final int TYPE_GENERIC = 0;
  public static final int TYPE_RUNDOWN = 1;
  public static final int TYPE_CTX_SWAP = 2;
  public static final int TYPE_REFTIME = 3;
  public static final int TYPE_HEADER = 4;
  public static final int TYPE_BATCHED = 5;
  public static final int TYPE_EMPTY_MARKER = 6;
  public static final int TYPE_DBG_INFO = 7;
  public static final int TYPE_MAXIMUM = 8;

  /** Reads a header at the buffer's position (little endian, absolute reads). */
  public static BufferHeader read(ByteBuffer b, int at, long fileOffset) {
    int flag = Short.toUnsignedInt(b.getShort(at + 0x34));
    int clientContext = b.getInt(at + 0x28);
    // ClientContext is {ProcessorNumber u8, Alignment u8, LoggerId u16}; with the "processor
    // index" flag the first u16 is the index (more than 256 processors).
    int cpu = (flag & FLAG_PROC_INDEX) != 0 ? clientContext & 0xFFFF : clientContext & 0xFF;
    return new BufferHeader(fileOffset, b.getInt(at), b.getInt(at + 4), b.getInt(at + 8),
        b.getInt(at + 0xC), b.getLong(at + 0x10), b.getLong(at + 0x18), b.getLong(at + 0x20), cpu,
        clientContext >>> 16, b.getInt(at + 0x2C), b.getInt(at + 0x30), flag,
        Short.toUnsignedInt(b.getShort(at + 0x36)), b.getLong(at + 0x38), b.getLong(at + 0x40));
  }

  public boolean compressed() {
    return (bufferFlag & FLAG_COMPRESSED) != 0;
  }

  public boolean eventsLost() {
    return (bufferFlag & FLAG_EVENTS_LOST) != 0;
  }

  public boolean bufferLost() {
    return (bufferFlag & FLAG_BUFFER_LOST) != 0;
  }

  public boolean flushMarker() {
    return (bufferFlag & FLAG_FLUSH_MARKER) != 0;
  }

  public static String typeName(int type) {
    return switch (type) {
      case TYPE_GENERIC -> "generic";
      case TYPE_RUNDOWN -> "rundown";
      case TYPE_CTX_SWAP -> "context-swap";
      case TYPE_REFTIME -> "reftime";
      case TYPE_HEADER -> "header";
      case TYPE_BATCHED -> "batched";
      case TYPE_EMPTY_MARKER -> "empty-marker";
      case TYPE_DBG_INFO -> "debug-info";
      default -> "type-" + type;
    };
  }
}
