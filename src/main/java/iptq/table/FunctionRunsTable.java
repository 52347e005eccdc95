package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;

/**
 * The {@code function_run_rows} table behind the {@code function_runs} view: one row per visit
 * to a function, consecutive blocks of a segment in the same function and module, named by the
 * place of its first block. {@code back} (the visit counted from the segment's end) is set once
 * the segment's last visit is known, by {@code derive/function_runs_back.sql}.
 */
public final class FunctionRunsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector run = bigint("run");
  private final BigIntVector back = bigint("back");
  private final BigIntVector firstSeq = bigint("first_seq");
  private final BigIntVector lastSeq = bigint("last_seq");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final IntVector startPlace = integer("start_place");
  private final BigIntVector startTs = bigint("start_ts");
  private final BigIntVector endTs = bigint("end_ts");
  private final BigIntVector insns = bigint("insns");
  private final BigIntVector blocks = bigint("blocks");

  public FunctionRunsTable(BufferAllocator allocator, BatchSink sink) {
    super("function_run_rows", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(long segment, long runNo, long first, long last, long pidValue, long tidValue,
      int place, long startNs, long endNs, long insnCount, long blockCount) {
    set(segmentId, segment);
    set(run, runNo);
    set(back, 0); // not known before the segment ends; see the class comment
    set(firstSeq, first);
    set(lastSeq, last);
    set(pid, pidValue);
    set(tid, tidValue);
    set(startPlace, place);
    set(startTs, startNs);
    set(endTs, endNs);
    set(insns, insnCount);
    set(blocks, blockCount);
    endRow();
  }
}
