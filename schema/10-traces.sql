-- Inputs and the IPT buffers found in them.

CREATE TABLE traces (
  trace_id        INTEGER PRIMARY KEY,
  path            VARCHAR NOT NULL,
  kind            VARCHAR NOT NULL,
  size_bytes      BIGINT  NOT NULL,
  start_time      TIMESTAMP_NS,
  clock           VARCHAR NOT NULL,
  clock_frequency BIGINT,
  cpu_count       INTEGER,
  os_build        INTEGER,
  logger_name     VARCHAR
);
COMMENT ON TABLE traces IS 'One row per input file.';
COMMENT ON COLUMN traces.trace_id IS 'Key; 1, 2, ... in the order the inputs were named.';
COMMENT ON COLUMN traces.path IS 'The file as given on the command line, made absolute.';
COMMENT ON COLUMN traces.kind IS 'raw-pt (a bare Intel PT byte stream), etl (a WPR/ETW trace), ipt-sys (an ipt.sys trace file).';
COMMENT ON COLUMN traces.size_bytes IS 'Size of the file in bytes.';
COMMENT ON COLUMN traces.start_time IS 'Wall-clock time (UTC, ns) of ts = 0: for an .etl the StartTime of its logfile header; NULL for raw and ipt.sys traces. time_utc columns are start_time + ts.';
COMMENT ON COLUMN traces.clock IS 'What ts counts from: qpc, system-time, cpu-cycles (ETW clock types), tsc (raw trace with TSC packets), none.';
COMMENT ON COLUMN traces.clock_frequency IS 'Ticks per second of that clock, where known.';
COMMENT ON COLUMN traces.cpu_count IS 'Logical processors of the machine that recorded the trace, where known.';
COMMENT ON COLUMN traces.os_build IS 'Windows build number, where known.';
COMMENT ON COLUMN traces.logger_name IS 'ETW logger (session) name, where known.';

CREATE TABLE segments (
  segment_id         BIGINT PRIMARY KEY,
  trace_id           INTEGER NOT NULL,
  ts                 BIGINT,
  cpu                INTEGER,
  pid                INTEGER,
  tid                INTEGER,
  "trigger"          VARCHAR,
  trigger_event_id   BIGINT,
  ipt_option         UBIGINT,
  trace_mode         TINYINT,
  time_mode          TINYINT,
  mtc_freq           TINYINT,
  cyc_thresh         TINYINT,
  buffer_size        INTEGER,
  trace_session_mode TINYINT,
  trace_child        BOOLEAN,
  code_mode          TINYINT,
  file_offset        BIGINT  NOT NULL,
  size_bytes         INTEGER NOT NULL,
  trace_position     INTEGER,
  wrapped            BOOLEAN NOT NULL,
  skipped_bytes      INTEGER NOT NULL,
  packets            BIGINT  NOT NULL,
  branches           BIGINT  NOT NULL,
  instructions       BIGINT  NOT NULL,
  errors             INTEGER NOT NULL,
  decode_status      VARCHAR NOT NULL,
  cut_off_bytes      INTEGER,
  time_utc           TIMESTAMP_NS
);
COMMENT ON TABLE segments IS 'One row per IPT buffer: an IPT event of an ETL trace, a thread block of an ipt.sys file, or a whole raw trace.';
COMMENT ON COLUMN segments.segment_id IS 'Key, unique in the database; the packets, branches, blocks, instructions, flow_events and decode_errors rows of this buffer carry it.';
COMMENT ON COLUMN segments.trace_id IS 'The input file (traces.trace_id).';
COMMENT ON COLUMN segments.ts IS 'ns since the trace start of the kernel event this buffer accompanies (its end); NULL for raw traces.';
COMMENT ON COLUMN segments.cpu IS 'Processor that recorded the event, where known.';
COMMENT ON COLUMN segments.pid IS 'Process id of the traced thread, where known.';
COMMENT ON COLUMN segments.tid IS 'Thread id of the traced thread, where known.';
COMMENT ON COLUMN segments."trigger" IS 'Name of the kernel event the buffer accompanies (SystemCallExit, CSwitch, ...); NULL when none.';
COMMENT ON COLUMN segments.trigger_event_id IS 'That event (events.event_id); NULL when none was found.';
COMMENT ON COLUMN segments.ipt_option IS 'The IptOption value of the IPT event, raw; the next eight columns are its bitfields.';
COMMENT ON COLUMN segments.trace_mode IS 'IptOption bits 3:0 (TraceMode).';
COMMENT ON COLUMN segments.time_mode IS 'IptOption bits 7:4 (TimeMode: which timing packets were on).';
COMMENT ON COLUMN segments.mtc_freq IS 'IptOption bits 11:8 (MTCFreq: MTC period is 2^mtc_freq crystal clock ticks).';
COMMENT ON COLUMN segments.cyc_thresh IS 'IptOption bits 15:12 (CycThresh).';
COMMENT ON COLUMN segments.buffer_size IS 'Configured buffer size in bytes, from IptOption bits 19:16 (BufferSize).';
COMMENT ON COLUMN segments.trace_session_mode IS 'IptOption bits 22:20 (TraceSessionMode).';
COMMENT ON COLUMN segments.trace_child IS 'IptOption bit 23 (TraceChild).';
COMMENT ON COLUMN segments.code_mode IS 'IptOption bits 27:24 (TraceCodeMode: user, kernel, or both).';
COMMENT ON COLUMN segments.file_offset IS 'Byte offset in the input file where this buffer''s trace data begins.';
COMMENT ON COLUMN segments.size_bytes IS 'Bytes of trace data (TraceSize).';
COMMENT ON COLUMN segments.trace_position IS 'TracePosition (or RingBufferOffset): where the next packet would have been written.';
COMMENT ON COLUMN segments.wrapped IS 'True when the circular buffer had wrapped: decoding starts at the first PSB after trace_position.';
COMMENT ON COLUMN segments.skipped_bytes IS 'Bytes that could not be decoded: before the first PSB (cut_off_bytes), and between an error and the next PSB.';
COMMENT ON COLUMN segments.packets IS 'Packets decoded.';
COMMENT ON COLUMN segments.branches IS 'Branch rows produced (0 when no code was available).';
COMMENT ON COLUMN segments.instructions IS 'Instructions walked by the flow decoder (0 when no code was available).';
COMMENT ON COLUMN segments.errors IS 'decode_errors rows for this buffer.';
COMMENT ON COLUMN segments.decode_status IS 'ok; errors (decoded, with decode_errors rows); code-missing (code was given, but not for a module the segment ran: no-code rows, or packets only when no module of the trace had code; the ingest summary names the modules and what gives them); no-code-given (no --dump, --image-path or --image at all: packets but no flow); empty (no PSB: nothing decodable).';
COMMENT ON COLUMN segments.cut_off_bytes IS 'The part of skipped_bytes before the first PSB: in a wrapped ring buffer the oldest packets, cut off where newer ones overwrote them. Normal, not a decode problem.';
COMMENT ON COLUMN segments.time_utc IS 'Wall-clock time (UTC) of ts: traces.start_time + ts ns; NULL where either is unknown. Lines up segments of several recordings.';
