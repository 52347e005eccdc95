package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code modules} table. */
public final class ModulesTable extends TableWriter {
  /**
   * One module load; numeric fields use {@link TableWriter#NULL} for unknown, {@code pdbGuid} is
   * the canonical UUID text or null.
   */
  public record Module(long moduleId, int traceId, int pid, long base, long size, String path,
      String name, long timeDateStamp, long checksum, String pdbGuid, long pdbAge, String pdbName,
      long loadTs, long unloadTs, boolean kernel, String codeSource, String symbolSource) {}

  private final BigIntVector moduleId = bigint("module_id");
  private final IntVector traceId = integer("trace_id");
  private final IntVector pid = integer("pid");
  private final UInt8Vector base = ubigint("base");
  private final BigIntVector size = bigint("size");
  private final VarCharVector path = varchar("path");
  private final VarCharVector name = varchar("name");
  private final UInt4Vector timeDateStamp = uinteger("time_date_stamp");
  private final UInt4Vector checksum = uinteger("checksum");
  private final VarCharVector pdbGuid = varchar("pdb_guid");
  private final IntVector pdbAge = integer("pdb_age");
  private final VarCharVector pdbName = varchar("pdb_name");
  private final BigIntVector loadTs = bigint("load_ts");
  private final BigIntVector unloadTs = bigint("unload_ts");
  private final BitVector kernel = bool("kernel");
  private final VarCharVector codeSource = varchar("code_source");
  private final VarCharVector symbolSource = varchar("symbol_source");

  public ModulesTable(BufferAllocator allocator, BatchSink sink) {
    super("modules", allocator, sink, 4096);
  }

  public void add(Module m) {
    set(moduleId, m.moduleId());
    set(traceId, m.traceId());
    set(pid, m.pid());
    setU64(base, m.base(), true);
    set(size, m.size());
    set(path, m.path());
    set(name, m.name());
    set(timeDateStamp, m.timeDateStamp());
    set(checksum, m.checksum());
    set(pdbGuid, m.pdbGuid());
    set(pdbAge, m.pdbAge());
    set(pdbName, m.pdbName());
    set(loadTs, m.loadTs());
    set(unloadTs, m.unloadTs());
    set(kernel, m.kernel());
    set(codeSource, m.codeSource());
    set(symbolSource, m.symbolSource());
    endRow();
  }
}
