package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code events} table: one row per ETW event. */
public final class EventsTable extends TableWriter {
  /** One event; numeric fields use {@link TableWriter#NULL} for unknown, fields is JSON or null. */
  public record Event(long eventId, int traceId, long ts, long cpu, long pid, long tid,
      String provider, String name, long opcode, long hookId, String headerKind, long version,
      int payloadSize, String fieldsJson, String threadSource, long timeUtcNanos) {}

  private final BigIntVector eventId = bigint("event_id");
  private final IntVector traceId = integer("trace_id");
  private final BigIntVector ts = bigint("ts");
  private final IntVector cpu = integer("cpu");
  private final IntVector pid = integer("pid");
  private final IntVector tid = integer("tid");
  private final VarCharVector provider = varchar("provider");
  private final VarCharVector name = varchar("name");
  private final IntVector opcode = integer("opcode");
  private final IntVector hookId = integer("hook_id");
  private final VarCharVector headerKind = varchar("header_kind");
  private final IntVector version = integer("version");
  private final IntVector payloadSize = integer("payload_size");
  private final VarCharVector fields = varchar("fields");
  private final VarCharVector threadSource = varchar("thread_source");
  private final TimeStampNanoVector timeUtc = timestampNs("time_utc");

  public EventsTable(BufferAllocator allocator, BatchSink sink) {
    super("events", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  public void add(Event e) {
    set(eventId, e.eventId());
    set(traceId, e.traceId());
    set(ts, e.ts());
    set(cpu, e.cpu());
    set(pid, e.pid());
    set(tid, e.tid());
    set(provider, e.provider());
    set(name, e.name());
    set(opcode, e.opcode());
    set(hookId, e.hookId());
    set(headerKind, e.headerKind());
    set(version, e.version());
    set(payloadSize, e.payloadSize());
    set(fields, e.fieldsJson());
    set(threadSource, e.threadSource());
    setNanos(timeUtc, e.timeUtcNanos());
    endRow();
  }
}
