package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code segments} table: one row per IPT buffer, written after it was decoded. */
public final class SegmentsTable extends TableWriter {
  /**
   * Everything known of one buffer. Numeric fields use {@link TableWriter#NULL} for unknown;
   * {@code iptOption} is only meaningful when {@code hasIptOption}.
   */
  public record Segment(long segmentId, int traceId, long ts, long cpu, long pid, long tid,
      String trigger, long triggerEventId, boolean hasIptOption, long iptOption, long bufferSize,
      long fileOffset, int sizeBytes, long tracePosition, boolean wrapped, long skippedBytes,
      long cutOffBytes, long packets, long branches, long instructions, int errors, String decodeStatus) {}

  private final BigIntVector segmentId = bigint("segment_id");
  private final IntVector traceId = integer("trace_id");
  private final BigIntVector ts = bigint("ts");
  private final IntVector cpu = integer("cpu");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final VarCharVector trigger = varchar("trigger");
  private final BigIntVector triggerEventId = bigint("trigger_event_id");
  private final UInt8Vector iptOption = ubigint("ipt_option");
  private final TinyIntVector traceMode = tinyint("trace_mode");
  private final TinyIntVector timeMode = tinyint("time_mode");
  private final TinyIntVector mtcFreq = tinyint("mtc_freq");
  private final TinyIntVector cycThresh = tinyint("cyc_thresh");
  private final IntVector bufferSize = integer("buffer_size");
  private final TinyIntVector traceSessionMode = tinyint("trace_session_mode");
  private final BitVector traceChild = bool("trace_child");
  private final TinyIntVector codeMode = tinyint("code_mode");
  private final BigIntVector fileOffset = bigint("file_offset");
  private final IntVector sizeBytes = integer("size_bytes");
  private final IntVector cutOffBytes = integer("cut_off_bytes");
  private final IntVector tracePosition = integer("trace_position");
  private final BitVector wrapped = bool("wrapped");
  private final IntVector skippedBytes = integer("skipped_bytes");
  private final BigIntVector packets = bigint("packets");
  private final BigIntVector branches = bigint("branches");
  private final BigIntVector instructions = bigint("instructions");
  private final IntVector errors = integer("errors");
  private final VarCharVector decodeStatus = varchar("decode_status");

  public SegmentsTable(BufferAllocator allocator, BatchSink sink) {
    super("segments", allocator, sink, 4096);
  }

  public void add(Segment s) {
    set(segmentId, s.segmentId());
    set(traceId, s.traceId());
    set(ts, s.ts());
    set(cpu, s.cpu());
    set(pid, s.pid());
    set(tid, s.tid());
    set(trigger, s.trigger());
    set(triggerEventId, s.triggerEventId());
    long o = s.iptOption();
    boolean has = s.hasIptOption();
    setU64(iptOption, o, has);
    set(traceMode, has ? o & 0xF : NULL);
    set(timeMode, has ? (o >>> 4) & 0xF : NULL);
    set(mtcFreq, has ? (o >>> 8) & 0xF : NULL);
    set(cycThresh, has ? (o >>> 12) & 0xF : NULL);
    set(bufferSize, s.bufferSize());
    set(traceSessionMode, has ? (o >>> 20) & 0x7 : NULL);
    if (has) set(traceChild, ((o >>> 23) & 1) != 0);
    else setNullableBool(traceChild, null);
    set(codeMode, has ? (o >>> 24) & 0xF : NULL);
    set(fileOffset, s.fileOffset());
    set(sizeBytes, s.sizeBytes());
    set(tracePosition, s.tracePosition());
    set(wrapped, s.wrapped());
    set(skippedBytes, s.skippedBytes());
    set(cutOffBytes, s.cutOffBytes());
    set(packets, s.packets());
    set(branches, s.branches());
    set(instructions, s.instructions());
    set(errors, s.errors());
    set(decodeStatus, s.decodeStatus());
    endRow();
  }
}
