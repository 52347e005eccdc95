package iptq.ingest;

import iptq.pt.PacketDecoder;
import java.util.function.Supplier;

/**
 * One IPT buffer to decode, with what the reader knows of it. {@code decoders} makes a fresh
 * packet decoder over the bytes in decoding order (for a wrapped ring buffer, already rotated to
 * start at the oldest PSB); each pass (packets, flow) takes its own. Numeric fields use {@link
 * iptq.table.TableWriter#NULL} for unknown.
 */
public record SegmentInput(
    long segmentId,
    int traceId,
    Supplier<PacketDecoder> decoders,
    long sizeBytes,
    long fileOffset,
    long ts,
    long cpu,
    long pid,
    long tid,
    String trigger,
    long triggerEventId,
    boolean hasIptOption,
    long iptOption,
    long bufferSize,
    long tracePosition,
    boolean wrapped,
    long skippedBytes,
    TimeBase time) {

  /** A whole raw trace: one segment with nothing known but its bytes. */
  public static SegmentInput raw(long segmentId, int traceId, Supplier<PacketDecoder> decoders,
      long size, TimeBase time) {
    long n = iptq.table.TableWriter.NULL;
    return new SegmentInput(segmentId, traceId, decoders, size, 0, n, n, n, n, null, n, false, 0, n,
        n, false, 0, time);
  }
}
