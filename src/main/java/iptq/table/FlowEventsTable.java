package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code flow_events} table: trace events between instructions. */
public final class FlowEventsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final BigIntVector ts = bigint("ts");
  private final VarCharVector kind = varchar("kind");
  private final UInt8Vector ip = ubigint("ip");
  private final UInt8Vector payload = ubigint("payload");

  private final VarCharVector ipName = varchar("ip_name");

  public FlowEventsTable(BufferAllocator allocator, BatchSink sink) {
    super("flow_events", allocator, sink, 16_384);
  }

  public void add(long segment, long sequence, long tsNs, String kindName, long ipValue,
      boolean hasIp, long payloadValue, boolean hasPayload) {
    add(segment, sequence, tsNs, kindName, ipValue, hasIp, payloadValue, hasPayload, null);
  }

  /** @param name {@code module!function+0xOFF} of the ip, or null where it has none */
  public void add(long segment, long sequence, long tsNs, String kindName, long ipValue,
      boolean hasIp, long payloadValue, boolean hasPayload, String name) {
    set(segmentId, segment);
    set(seq, sequence);
    set(ts, tsNs);
    set(kind, kindName);
    setU64(ip, ipValue, hasIp);
    setU64(payload, payloadValue, hasPayload);
    set(ipName, name);
    endRow();
  }
}
