package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code blocks} table: one row per run of straight-line code walked. */
public final class BlocksTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final BigIntVector ts = bigint("ts");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final UInt8Vector startIp = ubigint("start_ip");
  private final UInt8Vector endIp = ubigint("end_ip");
  private final IntVector insns = integer("insns");
  private final VarCharVector module = varchar("module");
  private final VarCharVector function = varchar("function");
  private final BigIntVector functionOffset = bigint("function_offset");

  public BlocksTable(BufferAllocator allocator, BatchSink sink) {
    super("blocks", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(long segment, long sequence, long tsNs, long pidValue, long tidValue, long start,
      long end, int count, String mod, String fn, long fnOffset) {
    set(segmentId, segment);
    set(seq, sequence);
    set(ts, tsNs);
    set(pid, pidValue);
    set(tid, tidValue);
    setU64(startIp, start, true);
    setU64(endIp, end, true);
    set(insns, count);
    set(module, mod);
    set(function, fn);
    set(functionOffset, fnOffset);
    endRow();
  }
}
