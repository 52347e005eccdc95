package iptq.ingest;

import iptq.etl.IptSegment;
import iptq.pt.PacketDecoder;
import iptq.table.TableWriter;

/** Turns the ETL and ipt.sys readers' IPT buffers into the decoder's {@link SegmentInput}s. */
public final class EtlSegmentInputs {
  private EtlSegmentInputs() {}

  /**
   * @param eventIdBase the base the trace's events got in {@link EtlTables}, so that
   *     {@code trigger_event_id} points at the trigger's {@code events} row
   */
  public static SegmentInput of(IptSegment s, long segmentId, int traceId, long eventIdBase,
      TimeBase time) {
    long n = TableWriter.NULL;
    boolean etl = s.eventId() >= 0;
    return new SegmentInput(segmentId, traceId, () -> new PacketDecoder(s.data().duplicate()), s.sizeBytes(),
        s.fileOffset(), s.ts() == Long.MIN_VALUE ? n : s.ts(), s.cpu() < 0 ? n : s.cpu(),
        s.pid() < 0 ? n : s.pid(), s.tid(), s.trigger(),
        s.triggerEventId() < 0 ? n : eventIdBase + s.triggerEventId(), etl, s.option().value(),
        s.bufferSize() < 0 ? n : s.bufferSize(), s.tracePosition(), s.wrapped(), s.skippedBytes(), time);
  }
}
