package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt4Vector;

/**
 * The {@code block_rows} table behind the {@code blocks} view: one row per run of straight-line
 * code walked, its address and names as a place (see {@link PlacesTable}).
 */
public final class BlocksTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final BigIntVector ts = bigint("ts");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final IntVector startPlace = integer("start_place");
  private final UInt4Vector endOffset = uinteger("end_offset");
  private final IntVector insns = integer("insns");

  public BlocksTable(BufferAllocator allocator, BatchSink sink) {
    super("block_rows", allocator, sink, LARGE_BATCH_ROWS);
  }

  public void add(long segment, long sequence, long tsNs, long pidValue, long tidValue, int place,
      long lastInsnOffset, int count) {
    set(segmentId, segment);
    set(seq, sequence);
    set(ts, tsNs);
    set(pid, pidValue);
    set(tid, tidValue);
    set(startPlace, place);
    set(endOffset, lastInsnOffset);
    set(insns, count);
    endRow();
  }
}
