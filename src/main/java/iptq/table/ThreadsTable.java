package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;

/** The {@code threads} table. */
public final class ThreadsTable extends TableWriter {
  /** One thread lifetime; numeric fields use {@link TableWriter#NULL} for unknown. */
  public record Thread(int traceId, int tid, int pid, long startTs, long endTs,
      long startAddress, boolean hasStartAddress, long win32StartAddress,
      boolean hasWin32StartAddress) {}

  private final IntVector traceId = integer("trace_id");
  private final IntVector tid = integer("tid");
  private final IntVector pid = integer("pid");
  private final BigIntVector startTs = bigint("start_ts");
  private final BigIntVector endTs = bigint("end_ts");
  private final UInt8Vector startAddress = ubigint("start_address");
  private final UInt8Vector win32StartAddress = ubigint("win32_start_address");

  public ThreadsTable(BufferAllocator allocator, BatchSink sink) {
    super("threads", allocator, sink, 4096);
  }

  public void add(Thread t) {
    set(traceId, t.traceId());
    set(tid, t.tid());
    set(pid, t.pid());
    set(startTs, t.startTs());
    set(endTs, t.endTs());
    setU64(startAddress, t.startAddress(), t.hasStartAddress());
    setU64(win32StartAddress, t.win32StartAddress(), t.hasWin32StartAddress());
    endRow();
  }
}
