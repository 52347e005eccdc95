package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code processes} table. */
public final class ProcessesTable extends TableWriter {
  /** One process lifetime; numeric fields use {@link TableWriter#NULL} for unknown. */
  public record Process(int traceId, int pid, long parentPid, long sessionId,
      long directoryTableBase, boolean hasDirectoryTableBase, long uniqueProcessKey,
      boolean hasUniqueProcessKey, String name, String commandLine, long startTs, long endTs,
      long exitStatus) {}

  private final IntVector traceId = integer("trace_id");
  private final IntVector pid = integer("pid");
  private final IntVector parentPid = integer("parent_pid");
  private final IntVector sessionId = integer("session_id");
  private final UInt8Vector directoryTableBase = ubigint("directory_table_base");
  private final UInt8Vector uniqueProcessKey = ubigint("unique_process_key");
  private final VarCharVector name = varchar("name");
  private final VarCharVector commandLine = varchar("command_line");
  private final BigIntVector startTs = bigint("start_ts");
  private final BigIntVector endTs = bigint("end_ts");
  private final IntVector exitStatus = integer("exit_status");

  public ProcessesTable(BufferAllocator allocator, BatchSink sink) {
    super("processes", allocator, sink, 4096);
  }

  public void add(Process p) {
    set(traceId, p.traceId());
    set(pid, p.pid());
    set(parentPid, p.parentPid());
    set(sessionId, p.sessionId());
    setU64(directoryTableBase, p.directoryTableBase(), p.hasDirectoryTableBase());
    setU64(uniqueProcessKey, p.uniqueProcessKey(), p.hasUniqueProcessKey());
    set(name, p.name());
    set(commandLine, p.commandLine());
    set(startTs, p.startTs());
    set(endTs, p.endTs());
    set(exitStatus, p.exitStatus());
    endRow();
  }
}
