package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code symbols} table. */
public final class SymbolsTable extends TableWriter {
  private final BigIntVector moduleId = bigint("module_id");
  private final BigIntVector rva = bigint("rva");
  private final BigIntVector size = bigint("size");
  private final VarCharVector name = varchar("name");
  private final VarCharVector source = varchar("source");

  public SymbolsTable(BufferAllocator allocator, BatchSink sink) {
    super("symbols", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  /** {@code sizeOrNull} is {@link TableWriter#NULL} when the size is not known. */
  public void add(long module, long rvaValue, long sizeOrNull, String symbolName, String sourceName) {
    set(moduleId, module);
    set(rva, rvaValue);
    set(size, sizeOrNull);
    set(name, symbolName);
    set(source, sourceName);
    endRow();
  }
}
