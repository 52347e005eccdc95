package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code packets} table: one row per Intel PT packet. */
public final class PacketsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector offset = bigint("offset");
  private final VarCharVector kind = varchar("kind");
  private final SmallIntVector size = smallint("size");
  private final UInt8Vector ip = ubigint("ip");
  private final TinyIntVector ipBytes = tinyint("ip_bytes");
  private final UInt8Vector tntBits = ubigint("tnt_bits");
  private final TinyIntVector tntCount = tinyint("tnt_count");
  private final UInt8Vector payload = ubigint("payload");
  private final UInt8Vector payload2 = ubigint("payload2");
  private final BigIntVector ts = bigint("ts");

  public PacketsTable(BufferAllocator allocator, BatchSink sink) {
    super("packets", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  /**
   * One packet. {@code ipBytesOrNull} is {@link #NULL} for packets that carry no IP; {@code
   * tntCountOrZero} 0 for non-TNT packets; payloads present per {@code hasPayload}.
   */
  public void add(long segment, long off, String kindLabel, int sizeBytes, long ipValue,
      boolean hasIp, long ipBytesOrNull, long tnt, int tntCountOrZero, long p1, boolean hasP1,
      long p2, boolean hasP2, long tsNs) {
    set(segmentId, segment);
    set(offset, off);
    set(kind, kindLabel);
    set(size, sizeBytes);
    setU64(ip, ipValue, hasIp);
    set(ipBytes, ipBytesOrNull);
    setU64(tntBits, tnt, tntCountOrZero > 0);
    set(tntCount, tntCountOrZero > 0 ? tntCountOrZero : NULL);
    setU64(payload, p1, hasP1);
    setU64(payload2, p2, hasP2);
    set(ts, tsNs);
    endRow();
  }
}
