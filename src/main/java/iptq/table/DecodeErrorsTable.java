package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code decode_errors} table: one row per decode problem. */
public final class DecodeErrorsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector offset = bigint("offset");
  private final UInt8Vector ip = ubigint("ip");
  private final VarCharVector kind = varchar("kind");
  private final VarCharVector message = varchar("message");
  private final BigIntVector skippedBytes = bigint("skipped_bytes");

  private final VarCharVector ipName = varchar("ip_name");

  public DecodeErrorsTable(BufferAllocator allocator, BatchSink sink) {
    super("decode_errors", allocator, sink, 4096);
  }

  public void add(long segment, long off, long ipValue, boolean hasIp, String kindName, String text, long skipped) {
    add(segment, off, ipValue, hasIp, kindName, text, skipped, null);
  }

  /** @param name {@code module!function+0xOFF} of the ip, or null where it has none */
  public void add(long segment, long off, long ipValue, boolean hasIp, String kindName, String text, long skipped,
      String name) {
    set(segmentId, segment);
    set(offset, off);
    setU64(ip, ipValue, hasIp);
    set(kind, kindName);
    set(message, text);
    set(skippedBytes, skipped);
    set(ipName, name);
    endRow();
  }
}
