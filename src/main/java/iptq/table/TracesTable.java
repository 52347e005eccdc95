package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code traces} table: one row per input file. */
public final class TracesTable extends TableWriter {
  /** One input file; numeric fields use {@link TableWriter#NULL} for unknown. */
  public record Trace(int traceId, String path, String kind, long sizeBytes, long startTimeNanos,
      String clock, long clockFrequency, long cpuCount, long osBuild, String loggerName) {}

  private final IntVector traceId = integer("trace_id");
  private final VarCharVector path = varchar("path");
  private final VarCharVector kind = varchar("kind");
  private final BigIntVector sizeBytes = bigint("size_bytes");
  private final TimeStampNanoVector startTime = timestampNs("start_time");
  private final VarCharVector clock = varchar("clock");
  private final BigIntVector clockFrequency = bigint("clock_frequency");
  private final IntVector cpuCount = integer("cpu_count");
  private final IntVector osBuild = integer("os_build");
  private final VarCharVector loggerName = varchar("logger_name");

  public TracesTable(BufferAllocator allocator, BatchSink sink) {
    super("traces", allocator, sink, 1024);
  }

  public void add(Trace t) {
    set(traceId, t.traceId());
    set(path, t.path());
    set(kind, t.kind());
    set(sizeBytes, t.sizeBytes());
    setNanos(startTime, t.startTimeNanos());
    set(clock, t.clock());
    set(clockFrequency, t.clockFrequency());
    set(cpuCount, t.cpuCount());
    set(osBuild, t.osBuild());
    set(loggerName, t.loggerName());
    endRow();
  }
}
