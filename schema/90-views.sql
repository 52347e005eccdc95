-- Views that make common questions short. Applied last: they read the tables above.

-- Wall-clock time of any ts: rows of several recordings line up on it.
-- The arguments are the caller's expressions, bound inside the subquery: traces' columns are
-- renamed there so that a caller's trace_id or start_time means the caller's.
CREATE MACRO time_utc(trace, t) AS (
  SELECT make_timestamp_ns(iptq_start_ns + t)
  FROM (SELECT trace_id AS iptq_trace, epoch_ns(start_time) AS iptq_start_ns FROM traces)
  WHERE iptq_trace = trace
);
COMMENT ON MACRO time_utc IS 'time_utc(trace_id, ts): the wall-clock time (UTC, TIMESTAMP_NS) of ts in that trace, traces.start_time + ts ns; NULL where the trace has no start time.';

-- The decode tables as queries name them: blocks, branches and function_runs store places
-- and kinds as numbers (30-decode.sql, 50-derived.sql); these views give back their names.

-- The names of branch_rows.kind, in the order of iptq.flow.BranchKind.
CREATE MACRO branch_kind(k) AS
  (['jcc', 'jmp', 'jmp.ind', 'call', 'call.ind', 'ret', 'ret.compressed', 'far', 'async', 'disable'])[k + 1];
COMMENT ON MACRO branch_kind IS 'branch_kind(branch_rows.kind): its name, as branches.kind gives it (jcc, jmp, jmp.ind, call, call.ind, ret, ret.compressed, far, async, disable).';

CREATE VIEW branches AS
SELECT b.segment_id, b.seq, b.ts, b.pid, b.tid,
       f.ip AS from_ip, t.ip AS to_ip,
       branch_kind(b.kind) AS kind, b.taken,
       f.module AS from_module, f.function_label AS from_function,
       t.module AS to_module, t.function_label AS to_function
FROM branch_rows b
JOIN places f ON f.place_id = b.from_place
LEFT JOIN places t ON t.place_id = b.to_place;
COMMENT ON VIEW branches IS 'One row per control-transfer instruction the flow decoder walked (taken or not), in execution order.';
COMMENT ON COLUMN branches.segment_id IS 'The buffer.';
COMMENT ON COLUMN branches.seq IS 'Position in the segment''s execution order; blocks, branches and flow_events share one sequence.';
COMMENT ON COLUMN branches.ts IS 'Estimated ns since trace start; the segment''s ts when there are no timing packets.';
COMMENT ON COLUMN branches.pid IS 'Process id (the segment''s, or from PIP/CR3).';
COMMENT ON COLUMN branches.tid IS 'Thread id.';
COMMENT ON COLUMN branches.from_ip IS 'Address of the branch instruction.';
COMMENT ON COLUMN branches.to_ip IS 'Where execution went next (the fall-through for a not-taken jcc); NULL where tracing stopped.';
COMMENT ON COLUMN branches.kind IS 'jcc, jmp, jmp.ind, call, call.ind, ret, ret.compressed, far (syscall, sysret, int, iret, far jmp/call/ret), async (interrupt/exception: from FUP to TIP), disable (TIP.PGD).';
COMMENT ON COLUMN branches.taken IS 'False only for a not-taken conditional branch.';
COMMENT ON COLUMN branches.from_module IS 'Module holding from_ip.';
COMMENT ON COLUMN branches.from_function IS 'Function holding from_ip, as name+0xoffset when not at its start.';
COMMENT ON COLUMN branches.to_module IS 'Module holding to_ip.';
COMMENT ON COLUMN branches.to_function IS 'Function holding to_ip.';

CREATE VIEW blocks AS
SELECT b.segment_id, b.seq, b.ts, b.pid, b.tid,
       p.ip AS start_ip, p.ip + b.end_offset AS end_ip, b.insns,
       p.module, p.function, p.function_offset
FROM block_rows b
JOIN places p ON p.place_id = b.start_place;
COMMENT ON VIEW blocks IS 'One row per run of straight-line code the flow decoder walked, in execution order.';
COMMENT ON COLUMN blocks.segment_id IS 'The buffer.';
COMMENT ON COLUMN blocks.seq IS 'Position in the segment''s execution order (shared with branches and flow_events).';
COMMENT ON COLUMN blocks.ts IS 'Estimated ns since trace start at the block''s start.';
COMMENT ON COLUMN blocks.pid IS 'Process id.';
COMMENT ON COLUMN blocks.tid IS 'Thread id.';
COMMENT ON COLUMN blocks.start_ip IS 'Address of the first instruction.';
COMMENT ON COLUMN blocks.end_ip IS 'Address of the last instruction (the branch that ends the block, or the instruction before an event).';
COMMENT ON COLUMN blocks.insns IS 'Instructions in the block.';
COMMENT ON COLUMN blocks.module IS 'Module holding start_ip.';
COMMENT ON COLUMN blocks.function IS 'Function holding start_ip (symbol name, no offset).';
COMMENT ON COLUMN blocks.function_offset IS 'start_ip minus the function''s start.';

CREATE VIEW function_runs AS
SELECT r.segment_id, r.run, r.back, r.first_seq, r.last_seq, r.pid, r.tid,
       p.function, p.module, p.ip AS start_ip,
       r.start_ts, r.end_ts, r.insns, r.blocks, r.time_utc
FROM function_run_rows r
JOIN places p ON p.place_id = r.start_place;
COMMENT ON VIEW function_runs IS 'One row per visit to a function: consecutive blocks of a segment in the same function and module collapsed into one, a stop of tracing (flow_events disabled or overflow) ending a visit (written by the flow decoder as the blocks stream by).';
COMMENT ON COLUMN function_runs.segment_id IS 'The buffer (segments.segment_id).';
COMMENT ON COLUMN function_runs.run IS 'Visit number within the segment, 1, 2, ... in execution order.';
COMMENT ON COLUMN function_runs.back IS 'Visit number counted from the segment''s end: 1 is the visit running when the trace stopped (at the triggering event).';
COMMENT ON COLUMN function_runs.first_seq IS 'seq of the visit''s first block.';
COMMENT ON COLUMN function_runs.last_seq IS 'seq of the visit''s last block.';
COMMENT ON COLUMN function_runs.pid IS 'Process id (of the first block).';
COMMENT ON COLUMN function_runs.tid IS 'Thread id (of the first block).';
COMMENT ON COLUMN function_runs.function IS 'The function (blocks.function); NULL for code without a symbol.';
COMMENT ON COLUMN function_runs.module IS 'The module (blocks.module).';
COMMENT ON COLUMN function_runs.start_ip IS 'Address of the visit''s first instruction.';
COMMENT ON COLUMN function_runs.start_ts IS 'ns since trace start at the visit''s first block.';
COMMENT ON COLUMN function_runs.end_ts IS 'ns since trace start at the start of the visit''s last block.';
COMMENT ON COLUMN function_runs.insns IS 'Instructions executed during the visit.';
COMMENT ON COLUMN function_runs.blocks IS 'Blocks in the visit.';
COMMENT ON COLUMN function_runs.time_utc IS 'Wall-clock time (UTC) of start_ts: traces.start_time + start_ts ns (set when the database is written).';

-- Call/return pairs. The running sum of +1 per call and -1 per return gives each one a
-- level; a call at level L is answered by the first return after it that comes back to L
-- (depth moves by one at a time, so nothing in between can). A segment starts in the middle
-- of a call stack, so levels can go negative; depth counts from the lowest level seen.
CREATE VIEW calls AS
WITH steps AS (
  SELECT segment_id, seq, ts, pid, tid, kind, from_ip, to_ip,
         from_module, from_function, to_module, to_function,
         CASE WHEN kind IN ('call', 'call.ind') THEN 1 ELSE -1 END AS step
  FROM branches
  WHERE kind IN ('call', 'call.ind', 'ret', 'ret.compressed')
), levelled AS (
  SELECT *,
         sum(step) OVER (PARTITION BY segment_id ORDER BY seq ROWS UNBOUNDED PRECEDING)
           - CASE WHEN step = 1 THEN 1 ELSE 0 END AS level
  FROM steps
), floors AS (
  SELECT segment_id, min(level) AS floor FROM levelled GROUP BY segment_id
), c AS (
  SELECT * FROM levelled WHERE step = 1
), r AS (
  SELECT segment_id, seq, ts, kind, level FROM levelled WHERE step = -1
)
SELECT c.segment_id,
       c.pid,
       c.tid,
       (c.level - f.floor)::INTEGER AS depth,
       c.seq        AS call_seq,
       r.seq        AS ret_seq,
       c.ts         AS call_ts,
       r.ts         AS ret_ts,
       c.kind       AS call_kind,
       r.kind       AS ret_kind,
       c.from_ip    AS call_ip,
       c.to_ip      AS target_ip,
       c.from_module AS caller_module,
       regexp_replace(c.from_function, '\+0x[0-9a-f]+$', '') AS caller,
       c.to_module  AS callee_module,
       regexp_replace(c.to_function, '\+0x[0-9a-f]+$', '') AS callee
FROM c
ASOF LEFT JOIN r ON c.segment_id = r.segment_id AND c.level = r.level AND r.seq > c.seq
JOIN floors f ON f.segment_id = c.segment_id;
COMMENT ON VIEW calls IS 'One row per call (kind call or call.ind in branches), paired with the return (ret or ret.compressed) that answers it.';
COMMENT ON COLUMN calls.segment_id IS 'The buffer.';
COMMENT ON COLUMN calls.pid IS 'Process id.';
COMMENT ON COLUMN calls.tid IS 'Thread id.';
COMMENT ON COLUMN calls.depth IS 'Nesting depth: 0 is the outermost frame seen in the segment (which may have started inside deeper calls).';
COMMENT ON COLUMN calls.call_seq IS 'seq of the call branch.';
COMMENT ON COLUMN calls.ret_seq IS 'seq of the matching return; NULL when the segment ends before it.';
COMMENT ON COLUMN calls.call_ts IS 'ns since trace start of the call.';
COMMENT ON COLUMN calls.ret_ts IS 'ns since trace start of the return; NULL without one.';
COMMENT ON COLUMN calls.call_kind IS 'call or call.ind.';
COMMENT ON COLUMN calls.ret_kind IS 'ret or ret.compressed; NULL without a return.';
COMMENT ON COLUMN calls.call_ip IS 'Address of the call instruction.';
COMMENT ON COLUMN calls.target_ip IS 'Address called.';
COMMENT ON COLUMN calls.caller_module IS 'Module of the call instruction.';
COMMENT ON COLUMN calls.caller IS 'Function of the call instruction (without +offset).';
COMMENT ON COLUMN calls.callee_module IS 'Module called into.';
COMMENT ON COLUMN calls.callee IS 'Function called (without +offset).';

-- The process each segment's thread belonged to: the processes row with that pid alive at the
-- segment's time (a pid can be reused within a trace).
CREATE VIEW segment_process AS
SELECT s.segment_id, arg_max(p.name, coalesce(p.start_ts, -1)) AS process
FROM segments s
JOIN processes p ON p.trace_id = s.trace_id AND p.pid = s.pid
 AND (s.ts IS NULL OR ((p.start_ts IS NULL OR p.start_ts <= s.ts)
                   AND (p.end_ts IS NULL OR p.end_ts >= s.ts)))
GROUP BY s.segment_id;
COMMENT ON VIEW segment_process IS 'The process name of each segment whose pid is known: the processes row with that pid alive at the segment''s ts.';
COMMENT ON COLUMN segment_process.segment_id IS 'The buffer.';
COMMENT ON COLUMN segment_process.process IS 'Image name of the process (processes.name).';

-- One line per segment with what people ask first.
CREATE VIEW segment_summary AS
WITH ends AS (
  SELECT segment_id,
         arg_min(function, seq) AS first_function,
         arg_min(module, seq)   AS first_module,
         arg_max(function, seq) AS last_function,
         arg_max(module, seq)   AS last_module
  FROM blocks
  GROUP BY segment_id
)
SELECT s.segment_id, s.trace_id, s.ts, s.cpu, s."trigger", sp.process, s.pid, s.tid,
       s.instructions, s.branches, s.errors, s.skipped_bytes, s.decode_status,
       ends.first_function, ends.first_module, ends.last_function, ends.last_module
FROM segments s
LEFT JOIN segment_process sp USING (segment_id)
LEFT JOIN ends USING (segment_id);
COMMENT ON VIEW segment_summary IS 'One row per segment: what triggered it, whose thread, how much was decoded, and where the code started and ended.';
COMMENT ON COLUMN segment_summary.segment_id IS 'The buffer.';
COMMENT ON COLUMN segment_summary.trace_id IS 'The input file.';
COMMENT ON COLUMN segment_summary.ts IS 'ns since trace start of the triggering event.';
COMMENT ON COLUMN segment_summary.cpu IS 'Processor.';
COMMENT ON COLUMN segment_summary."trigger" IS 'Triggering kernel event (SystemCallExit, CSwitch, ...).';
COMMENT ON COLUMN segment_summary.process IS 'Image name of the process alive with that pid at ts (processes.name).';
COMMENT ON COLUMN segment_summary.pid IS 'Process id.';
COMMENT ON COLUMN segment_summary.tid IS 'Thread id.';
COMMENT ON COLUMN segment_summary.instructions IS 'Instructions decoded.';
COMMENT ON COLUMN segment_summary.branches IS 'Branch rows.';
COMMENT ON COLUMN segment_summary.errors IS 'decode_errors rows.';
COMMENT ON COLUMN segment_summary.skipped_bytes IS 'Bytes of trace data that could not be decoded.';
COMMENT ON COLUMN segment_summary.decode_status IS 'ok, errors, code-missing, no-code-given, empty (segments.decode_status).';
COMMENT ON COLUMN segment_summary.first_function IS 'First named function the flow decoder walked (NULL when none had a name).';
COMMENT ON COLUMN segment_summary.first_module IS 'First module the flow decoder walked.';
COMMENT ON COLUMN segment_summary.last_function IS 'Last named function walked: the one running at the event.';
COMMENT ON COLUMN segment_summary.last_module IS 'Last module walked.';
