package iptq.etl;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a read of an .etl file found beyond the events: buffer flags, and everything skipped
 * (with why), so that nothing is dropped silently.
 */
public final class EtlStats {
  long buffers;
  long compressedBuffers;
  long buffersWithEventsLost;
  long buffersWithBufferLost;
  long flushMarkers;
  final long[] buffersByType = new long[16];
  long corruptBuffers;
  long trailingBytes;
  long unknownRecords;
  long badRecords;
  long skippedBytes;
  long undecodablePayloads;
  long events;
  /** Counters by kind (SYSTEM, COMPACT, PERFINFO) and HookId, found without hashing. */
  private final long[][] kernelSlots = new long[3 << 16][];
  private final java.util.HashMap<Long, long[]> kernelCounts = new java.util.HashMap<>();
  private final java.util.HashMap<String, long[]> otherCounts = new java.util.HashMap<>();

  public long buffers() {
    return buffers;
  }

  public long compressedBuffers() {
    return compressedBuffers;
  }

  /** Buffers whose flag says the logger lost events while filling them (flag 0x2). */
  public long buffersWithEventsLost() {
    return buffersWithEventsLost;
  }

  /** Buffers whose flag says a buffer was lost before them (flag 0x4). */
  public long buffersWithBufferLost() {
    return buffersWithBufferLost;
  }

  public long flushMarkers() {
    return flushMarkers;
  }

  /** Buffers by BufferType (0 generic … 7 debug info; 15 counts the rest). */
  public long buffersOfType(int type) {
    return buffersByType[Math.min(type, 15)];
  }

  /** Buffers skipped because their header did not make sense (size, offsets, decompression). */
  public long corruptBuffers() {
    return corruptBuffers;
  }

  /** Bytes at the end of the file too short for a whole buffer. */
  public long trailingBytes() {
    return trailingBytes;
  }

  /** Records of a header kind iptq does not know; the rest of their buffer is skipped. */
  public long unknownRecords() {
    return unknownRecords;
  }

  /** Records whose size is impossible (zero, below the header, past the buffer's end). */
  public long badRecords() {
    return badRecords;
  }

  /** Bytes of buffers skipped after an unknown or bad record. */
  public long skippedBytes() {
    return skippedBytes;
  }

  /** Known events whose payload did not fit the expected layout (they come out as Generic). */
  public long undecodablePayloads() {
    return undecodablePayloads;
  }

  public long events() {
    return events;
  }

  /**
   * Events by header kind and HookId (kernel kinds) or provider/id (others): keys like
   * {@code "perfinfo 0x1403"} or {@code "event 0cd1c309-...:0"}.
   */
  public Map<String, Long> countsByKindAndHook() {
    Map<String, Long> m = new TreeMap<>();
    kernelCounts.forEach((k, v) -> m.put(HeaderKind.values()[(int) (k >>> 32)].sqlName()
        + String.format(" 0x%04X", k & 0xFFFF), v[0]));
    otherCounts.forEach((k, v) -> m.put(k, v[0]));
    return m;
  }

  void count(EtlEvent e) {
    events++;
    long[] c;
    if (e.kind().kernel()) {
      int slot = e.kind().ordinal() << 16 | (e.hookId() & 0xFFFF);
      c = kernelSlots[slot];
      if (c == null) {
        long key = (long) e.kind().ordinal() << 32 | (e.hookId() & 0xFFFF);
        kernelCounts.put(key, c = new long[1]);
        kernelSlots[slot] = c;
        names.put(key, e.name());
      }
    } else {
      String key = e.kind().sqlName() + " " + e.providerText() + ":" + (e.kind() == HeaderKind.EVENT
          || e.kind() == HeaderKind.WPP ? e.eventId() : e.opcode());
      c = otherCounts.get(key);
      if (c == null) {
        otherCounts.put(key, c = new long[1]);
        names.put(key, e.name());
      }
    }
    c[0]++;
  }

  private final java.util.HashMap<Object, String> names = new java.util.HashMap<>();

  /** Events by name, summed over header kinds. */
  public Map<String, Long> eventsByName() {
    Map<String, Long> m = new TreeMap<>();
    kernelCounts.forEach((k, v) -> m.merge(names.get(k), v[0], Long::sum));
    otherCounts.forEach((k, v) -> m.merge(names.get(k), v[0], Long::sum));
    return m;
  }
}
