package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;

/**
 * The {@code branch_rows} table behind the {@code branches} view: one row per control transfer
 * walked, its addresses and names as places (see {@link PlacesTable}), its kind as a number.
 */
public final class BranchesTable extends TableWriter {
  /** {@code toPlace} when tracing stopped at the branch: no to_ip. */
  public static final int NO_PLACE = -1;

  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector seq = bigint("seq");
  private final BigIntVector ts = bigint("ts");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final IntVector fromPlace = integer("from_place");
  private final IntVector toPlace = integer("to_place");
  private final UInt1Vector kind = utinyint("kind");
  private final BitVector taken = bool("taken");

  public BranchesTable(BufferAllocator allocator, BatchSink sink) {
    super("branch_rows", allocator, sink, LARGE_BATCH_ROWS);
  }

  /** {@code kindNumber}: the ordinal of {@code iptq.flow.BranchKind}, as the macro branch_kind names it. */
  public void add(long segment, long sequence, long tsNs, long pidValue, long tidValue, int from,
      int to, int kindNumber, boolean wasTaken) {
    set(segmentId, segment);
    set(seq, sequence);
    set(ts, tsNs);
    set(pid, pidValue);
    set(tid, tidValue);
    set(fromPlace, from);
    set(toPlace, to == NO_PLACE ? NULL : to);
    set(kind, kindNumber);
    set(taken, wasTaken);
    endRow();
  }
}
