package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code places} table: one row per code address the blocks and branches name. */
public final class PlacesTable extends TableWriter {
  private final IntVector placeId = integer("place_id");
  private final UInt8Vector ip = ubigint("ip");
  private final VarCharVector module = varchar("module");
  private final VarCharVector function = varchar("function");
  private final BigIntVector functionOffset = bigint("function_offset");
  private final VarCharVector functionLabel = varchar("function_label");

  public PlacesTable(BufferAllocator allocator, BatchSink sink) {
    super("places", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  /** {@code fnOffset} {@link #NULL} (and {@code fn} null) for an address without a function. */
  public void add(int id, long address, String mod, String fn, long fnOffset, String label) {
    set(placeId, id);
    setU64(ip, address, true);
    set(module, mod);
    set(function, fn);
    set(functionOffset, fnOffset);
    set(functionLabel, label);
    endRow();
  }
}
