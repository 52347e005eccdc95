package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code branches} table: one row per control transfer walked. */
public final class BranchesTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final BigIntVector ts = bigint("ts");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final UInt8Vector fromIp = ubigint("from_ip");
  private final UInt8Vector toIp = ubigint("to_ip");
  private final VarCharVector kind = varchar("kind");
  private final BitVector taken = bool("taken");
  private final VarCharVector fromModule = varchar("from_module");
  private final VarCharVector fromFunction = varchar("from_function");
  private final VarCharVector toModule = varchar("to_module");
  private final VarCharVector toFunction = varchar("to_function");

  public BranchesTable(BufferAllocator allocator, BatchSink sink) {
    super("branches", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(long segment, long sequence, long tsNs, long pidValue, long tidValue, long from,
      long to, boolean hasTo, String kindName, boolean wasTaken, String fromMod, String fromFn,
      String toMod, String toFn) {
    set(segmentId, segment);
    set(seq, sequence);
    set(ts, tsNs);
    set(pid, pidValue);
    set(tid, tidValue);
    setU64(fromIp, from, true);
    setU64(toIp, to, hasTo);
    set(kind, kindName);
    set(taken, wasTaken);
    set(fromModule, fromMod);
    set(fromFunction, fromFn);
    set(toModule, toMod);
    set(toFunction, toFn);
    endRow();
  }
}
