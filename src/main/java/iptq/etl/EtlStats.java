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
  final Map<String, Long> byKindAndHook = new TreeMap<>();

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
    return byKindAndHook;
  }

  void count(EtlEvent e) {
    events++;
    String key = e.kind().kernel() ? e.kind().sqlName() + String.format(" 0x%04X", e.hookId())
        : e.kind().sqlName() + " " + e.providerText() + ":" + (e.kind() == HeaderKind.EVENT
            || e.kind() == HeaderKind.WPP ? e.eventId() : e.opcode());
    byKindAndHook.merge(key, 1L, Long::sum);
  }
}
