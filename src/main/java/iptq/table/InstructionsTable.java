package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code instructions} table (opt-in): one row per instruction executed. */
public final class InstructionsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final UInt8Vector ip = ubigint("ip");
  private final TinyIntVector size = tinyint("size");
  private final VarCharVector text = varchar("text");

  public InstructionsTable(BufferAllocator allocator, BatchSink sink) {
    super("instructions", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(long segment, long blockSeq, long address, int length, String disassembly) {
    set(segmentId, segment);
    set(seq, blockSeq);
    setU64(ip, address, true);
    set(size, length);
    set(text, disassembly);
    endRow();
  }
}
