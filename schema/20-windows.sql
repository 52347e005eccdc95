-- What the ETW trace says about the machine: processes, threads, modules, kernel events.

CREATE TABLE processes (
  trace_id             INTEGER NOT NULL,
  pid                  INTEGER NOT NULL,
  parent_pid           INTEGER,
  session_id           INTEGER,
  directory_table_base UBIGINT,
  unique_process_key   UBIGINT,
  name                 VARCHAR,
  command_line         VARCHAR,
  start_ts             BIGINT,
  end_ts               BIGINT,
  exit_status          INTEGER
);
COMMENT ON TABLE processes IS 'One row per process seen in a trace (Process Start/DCStart, End/DCEnd/Defunct events). A pid reused within a trace gives two rows with disjoint ts ranges.';
COMMENT ON COLUMN processes.trace_id IS 'The input file (traces.trace_id).';
COMMENT ON COLUMN processes.pid IS 'Process id.';
COMMENT ON COLUMN processes.parent_pid IS 'Parent process id.';
COMMENT ON COLUMN processes.session_id IS 'Terminal services session.';
COMMENT ON COLUMN processes.directory_table_base IS 'CR3 of the process: what PIP packets carry; links IPT address-space switches to the process.';
COMMENT ON COLUMN processes.unique_process_key IS 'The kernel''s EPROCESS address, as the event gives it.';
COMMENT ON COLUMN processes.name IS 'Image file name (e.g. svchost.exe).';
COMMENT ON COLUMN processes.command_line IS 'Command line, where the event carries it.';
COMMENT ON COLUMN processes.start_ts IS 'ns since trace start when the process started; NULL when it was already running (rundown).';
COMMENT ON COLUMN processes.end_ts IS 'ns since trace start when it ended; NULL when still running at the end.';
COMMENT ON COLUMN processes.exit_status IS 'Exit status from the End event.';

CREATE TABLE threads (
  trace_id      INTEGER NOT NULL,
  tid           INTEGER NOT NULL,
  pid           INTEGER NOT NULL,
  start_ts      BIGINT,
  end_ts        BIGINT,
  start_address UBIGINT,
  win32_start_address UBIGINT
);
COMMENT ON TABLE threads IS 'One row per thread seen in a trace (Thread Start/DCStart, End/DCEnd events).';
COMMENT ON COLUMN threads.trace_id IS 'The input file.';
COMMENT ON COLUMN threads.tid IS 'Thread id.';
COMMENT ON COLUMN threads.pid IS 'Owning process id.';
COMMENT ON COLUMN threads.start_ts IS 'ns since trace start when the thread started; NULL when already running (rundown).';
COMMENT ON COLUMN threads.end_ts IS 'ns since trace start when it ended; NULL when still running at the end.';
COMMENT ON COLUMN threads.start_address IS 'Kernel start address of the thread.';
COMMENT ON COLUMN threads.win32_start_address IS 'User-mode start address (Win32StartAddr).';

CREATE TABLE modules (
  module_id       BIGINT PRIMARY KEY,
  trace_id        INTEGER NOT NULL,
  pid             INTEGER NOT NULL,
  base            UBIGINT NOT NULL,
  size            BIGINT  NOT NULL,
  path            VARCHAR,
  name            VARCHAR NOT NULL,
  time_date_stamp UINTEGER,
  checksum        UINTEGER,
  pdb_guid        UUID,
  pdb_age         INTEGER,
  pdb_name        VARCHAR,
  load_ts         BIGINT,
  unload_ts       BIGINT,
  kernel          BOOLEAN NOT NULL,
  code_source     VARCHAR NOT NULL,
  symbol_source   VARCHAR NOT NULL
);
COMMENT ON TABLE modules IS 'One row per module load: from Image Load/DCStart events, dumps, or --image options.';
COMMENT ON COLUMN modules.module_id IS 'Key; symbols rows carry it.';
COMMENT ON COLUMN modules.trace_id IS 'The input file.';
COMMENT ON COLUMN modules.pid IS 'Process the module was loaded into; 0 for kernel modules, which every process shares.';
COMMENT ON COLUMN modules.base IS 'Load address.';
COMMENT ON COLUMN modules.size IS 'Size of the mapped image in bytes.';
COMMENT ON COLUMN modules.path IS 'File path as the event gives it (\Device\HarddiskVolume3\..., \SystemRoot\...).';
COMMENT ON COLUMN modules.name IS 'File name (ntoskrnl.exe, tcpip.sys, ...).';
COMMENT ON COLUMN modules.time_date_stamp IS 'PE TimeDateStamp: with size and checksum, identifies the file.';
COMMENT ON COLUMN modules.checksum IS 'PE CheckSum.';
COMMENT ON COLUMN modules.pdb_guid IS 'GUID of the matching PDB (from the RSDS record).';
COMMENT ON COLUMN modules.pdb_age IS 'Age of the matching PDB.';
COMMENT ON COLUMN modules.pdb_name IS 'PDB file name from the RSDS record.';
COMMENT ON COLUMN modules.load_ts IS 'ns since trace start when loaded; NULL when already loaded (rundown).';
COMMENT ON COLUMN modules.unload_ts IS 'ns since trace start when unloaded; NULL when still loaded at the end.';
COMMENT ON COLUMN modules.kernel IS 'True for kernel-mode modules.';
COMMENT ON COLUMN modules.code_source IS 'Where the code bytes came from: minidump, kernel-dump, pe, pe+dvrt, raw, none.';
COMMENT ON COLUMN modules.symbol_source IS 'Where the names came from: pdb, exports, none.';

CREATE TABLE events (
  event_id     BIGINT PRIMARY KEY,
  trace_id     INTEGER NOT NULL,
  ts           BIGINT  NOT NULL,
  cpu          INTEGER,
  pid          INTEGER,
  tid          INTEGER,
  provider     VARCHAR NOT NULL,
  name         VARCHAR NOT NULL,
  opcode       INTEGER,
  hook_id      INTEGER,
  header_kind  VARCHAR NOT NULL,
  version      INTEGER,
  payload_size INTEGER NOT NULL,
  fields       VARCHAR,
  thread_source VARCHAR,
  time_utc     TIMESTAMP_NS
);
COMMENT ON TABLE events IS 'One row per ETW event of the trace, in time order.';
COMMENT ON COLUMN events.event_id IS 'Key; in time order within a trace.';
COMMENT ON COLUMN events.trace_id IS 'The input file.';
COMMENT ON COLUMN events.ts IS 'ns since trace start.';
COMMENT ON COLUMN events.cpu IS 'Processor whose buffer held the event.';
COMMENT ON COLUMN events.pid IS 'Process id: from the event header; for headers without a thread (PERFINFO: system calls, image loads, ...) from the payload where it names the process (image loads, DbgID), else that of the thread running on the event''s processor (thread_source).';
COMMENT ON COLUMN events.tid IS 'Thread id: from the header; where it has none, from the payload (Thread, CSwitch NewThreadId), else the thread the last CSwitch on the event''s cpu switched in, as WPA attributes it.';
COMMENT ON COLUMN events.provider IS 'Kernel event group (Process, Thread, Image, PerfInfo, ...) or provider GUID.';
COMMENT ON COLUMN events.name IS 'Event name (ProcessStart, CSwitch, SystemCallExit, ProcessorTrace, ...), or group/type when unknown.';
COMMENT ON COLUMN events.opcode IS 'Event type (opcode) within its group.';
COMMENT ON COLUMN events.hook_id IS 'group << 8 | type, for kernel events.';
COMMENT ON COLUMN events.header_kind IS 'system, compact, perfinfo, trace, instance, event (EVENT_HEADER), wpp.';
COMMENT ON COLUMN events.version IS 'Event version.';
COMMENT ON COLUMN events.payload_size IS 'Bytes of payload.';
COMMENT ON COLUMN events.thread_source IS 'Where tid and pid came from: header (the event header), payload (the event''s own fields: image loads and DbgID give the pid only), cswitch (the header has no thread: the thread running on cpu at ts, from the last CSwitch NewThreadId before it, and its pid from threads; 0 for the idle thread), NULL when nothing says.';
COMMENT ON COLUMN events.time_utc IS 'Wall-clock time (UTC) of ts: traces.start_time + ts ns.';
COMMENT ON COLUMN events.fields IS 'Decoded payload fields as a JSON object, for the events iptq knows; NULL otherwise.';
