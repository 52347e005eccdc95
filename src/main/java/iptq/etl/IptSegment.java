package iptq.etl;

import java.nio.ByteBuffer;

/**
 * One IPT buffer ready to decode: everything the {@code segments} table needs, and the bytes,
 * oldest first, starting at the first PSB for a wrapped buffer.
 *
 * @param eventId the IPT event's ordinal in time order (its events.event_id), -1 for ipt.sys
 * @param ts ns since the trace start of the kernel event it accompanies, Long.MIN_VALUE if none
 * @param rawEventTimeStamp EventTimeStamp as stored (clock ticks)
 * @param cpu processor whose buffer held the event, -1 if unknown
 * @param pid process of the traced thread, -1 if unknown
 * @param tid the traced thread
 * @param trigger name of the accompanied kernel event (SystemCallExit, CSwitch, ...) or null
 * @param triggerEventId that event's ordinal (events.event_id), -1 if not found
 * @param hookId the HookId that carried the IPT event, -1 for ipt.sys
 * @param option IptOption (for ipt.sys: TimingSettings and MtcFrequency in the same bit positions)
 * @param bufferSize configured buffer size in bytes, -1 if unknown
 * @param fileOffset where the trace bytes begin in the file (for a compressed buffer: the buffer)
 * @param sizeBytes TraceSize
 * @param tracePosition TracePosition (RingBufferOffset for ipt.sys)
 * @param wrapped whether the circular buffer had wrapped
 * @param skippedBytes bytes before the first PSB that cannot be decoded
 * @param data the bytes to decode, oldest first (read-only)
 */
public record IptSegment(long eventId, long ts, long rawEventTimeStamp, int cpu, int pid, int tid,
    String trigger, long triggerEventId, int hookId, IptOption option, int bufferSize,
    long fileOffset, int sizeBytes, int tracePosition, boolean wrapped, int skippedBytes,
    ByteBuffer data) {

  /** The PSB pattern: 02 82 repeated 8 times. */
  static boolean psbAt(ByteBuffer b, int size, int at) {
    for (int i = 0; i < 16; i++) {
      int v = b.get(b.position() + (at + i) % size) & 0xFF;
      if (v != ((i & 1) == 0 ? 0x02 : 0x82)) return false;
    }
    return true;
  }

  /** The result of unrolling a circular buffer: its bytes from the first PSB, and what was skipped. */
  public record Unrolled(ByteBuffer data, int skipped) {}

  /**
   * Unrolls a wrapped circular buffer: searches for a PSB circularly from {@code position} and
   * returns the bytes from it around to {@code position}; without a PSB nothing is decodable.
   */
  public static Unrolled unroll(ByteBuffer trace, int position) {
    int size = trace.remaining();
    if (size == 0) return new Unrolled(trace, 0);
    int pos = Math.floorMod(position, size);
    for (int k = 0; k < size; k++) {
      int start = (pos + k) % size;
      if (!psbAt(trace, size, start)) continue;
      int len = size - k;
      byte[] out = new byte[len];
      int first = Math.min(len, size - start);
      trace.get(trace.position() + start, out, 0, first);
      if (first < len) trace.get(trace.position(), out, first, len - first);
      return new Unrolled(ByteBuffer.wrap(out).asReadOnlyBuffer(), k);
    }
    return new Unrolled(ByteBuffer.allocate(0).asReadOnlyBuffer(), size);
  }
}
