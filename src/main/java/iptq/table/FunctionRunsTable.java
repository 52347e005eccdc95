package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The {@code function_runs} table: one row per visit to a function, consecutive blocks of a
 * segment in the same function and module. {@code back} (the visit counted from the segment's
 * end) is set once the segment's last visit is known, by {@code derive/function_runs_back.sql}.
 */
public final class FunctionRunsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector run = bigint("run");
  private final BigIntVector back = bigint("back");
  private final BigIntVector firstSeq = bigint("first_seq");
  private final BigIntVector lastSeq = bigint("last_seq");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final VarCharVector function = varchar("function");
  private final VarCharVector module = varchar("module");
  private final UInt8Vector startIp = ubigint("start_ip");
  private final BigIntVector startTs = bigint("start_ts");
  private final BigIntVector endTs = bigint("end_ts");
  private final BigIntVector insns = bigint("insns");
  private final BigIntVector blocks = bigint("blocks");

  public FunctionRunsTable(BufferAllocator allocator, BatchSink sink) {
    super("function_runs", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(long segment, long runNo, long first, long last, long pidValue, long tidValue, String fn,
      String mod, long start, long startNs, long endNs, long insnCount, long blockCount) {
    set(segmentId, segment);
    set(run, runNo);
    set(back, 0); // not known before the segment ends; see the class comment
    set(firstSeq, first);
    set(lastSeq, last);
    set(pid, pidValue);
    set(tid, tidValue);
    set(function, fn);
    set(module, mod);
    setU64(startIp, start, true);
    set(startTs, startNs);
    set(endTs, endNs);
    set(insns, insnCount);
    set(blocks, blockCount);
    endRow();
  }
}
