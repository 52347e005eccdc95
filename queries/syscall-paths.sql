-- title: System-call paths
-- description: The distinct paths through a module: a path is the sequence of the module's
--   own functions from one entry into it (from other code, or where tracing began) to its
--   return out of it (or the end of the buffer, the triggering event), calls it makes into
--   other modules left out and a function repeated back to back once. One row per distinct
--   path, with how many calls took it (times), how many of them returned (the rest ran to
--   the event), the segments, processes and traces they were in, and the first and last
--   time_utc. Entries cut off (a wrapped buffer starting inside the module, a thread switched
--   back in mid-function) are left out unless partial=true. A buffer holds the trace since
--   its thread was last switched in, so buffers of one thread can overlap: a call seen in
--   several counts in each.
-- param: module : text = * -- the module (modules.name); * for each driver in a trace other than the kernel (ntoskrnl.exe, or the first kernel module the trace lists)
-- param: trigger : trigger = * -- only segments with this trigger (segments.trigger); * for all
-- param: partial : boolean = false -- true: also paths whose entry was cut off
WITH picked AS (
  SELECT segment_id, trace_id FROM segments
  WHERE getvariable('trigger') = '*' OR "trigger" = getvariable('trigger')
), kernel_image AS (
  SELECT trace_id, arg_min(name, module_id) AS name FROM modules WHERE kernel GROUP BY trace_id
), wanted AS (
  SELECT DISTINCT m.trace_id, m.name
  FROM modules m LEFT JOIN kernel_image k USING (trace_id)
  WHERE CASE WHEN getvariable('module') = '*'
             THEN m.kernel AND m.name IS DISTINCT FROM k.name
                  AND lower(m.name) NOT IN ('ntoskrnl.exe', 'ntkrnlmp.exe', 'ntkrnlpa.exe', 'ntkrpamp.exe')
             ELSE lower(m.name) = lower(getvariable('module')) END
), levels AS (
  -- the call level after each branch: calls and system-call entries go one deeper, returns
  -- and system-call exits one back
  SELECT b.segment_id, b.seq,
         sum(CASE WHEN b.kind IN ('call', 'call.ind') THEN 1
                  WHEN b.kind IN ('ret', 'ret.compressed') THEN -1
                  WHEN b.kind = 'far' AND b.from_ip < '0x8000000000000000'::UBIGINT
                       AND b.to_ip >= '0x8000000000000000'::UBIGINT THEN 1
                  WHEN b.kind = 'far' AND b.from_ip >= '0x8000000000000000'::UBIGINT
                       AND b.to_ip < '0x8000000000000000'::UBIGINT THEN -1
                  ELSE 0 END)
           OVER (PARTITION BY b.segment_id ORDER BY b.seq ROWS UNBOUNDED PRECEDING) AS level
  FROM branches b
  WHERE b.segment_id IN (SELECT segment_id FROM picked)
    AND b.kind IN ('call', 'call.ind', 'ret', 'ret.compressed', 'far')
), tracing AS (
  -- where tracing started or stopped: a stop ends a path, a start begins one
  SELECT segment_id, seq, kind FROM flow_events
  WHERE kind IN ('enabled', 'disabled') AND segment_id IN (SELECT segment_id FROM picked)
), visits AS (
  SELECT r.segment_id, p.trace_id, r.run, r.first_seq, r.last_seq, r.module, r.function,
         r.insns, r.time_utc, coalesce(l.level, 0) AS level, b.function_offset = 0 AS at_start,
         lag(r.last_seq) OVER (PARTITION BY r.segment_id ORDER BY r.run) AS prev_last_seq
  FROM function_runs r
  JOIN picked p USING (segment_id)
  JOIN blocks b ON b.segment_id = r.segment_id AND b.seq = r.first_seq
  ASOF LEFT JOIN levels l ON l.segment_id = r.segment_id AND r.first_seq > l.seq
), gaps AS (
  -- the last start or stop of tracing before each visit, if it came after the visit before
  SELECT v.*, t.kind AS tracing_kind,
         t.seq IS NOT NULL AND (v.prev_last_seq IS NULL OR t.seq > v.prev_last_seq) AS after_gap
  FROM visits v
  ASOF LEFT JOIN tracing t ON t.segment_id = v.segment_id AND v.first_seq > t.seq
), targets AS (
  SELECT DISTINCT v.segment_id, v.module AS target
  FROM visits v JOIN wanted w ON w.trace_id = v.trace_id AND w.name = v.module
), marked AS (
  SELECT t.target, g.*, g.module = t.target AS inside,
         lag(g.module = t.target) OVER (PARTITION BY g.segment_id, t.target ORDER BY g.run) AS prev_inside
  FROM targets t JOIN gaps g USING (segment_id)
), entries AS (
  SELECT segment_id, trace_id, target, run AS start_run, level, time_utc,
         -- seen: entered from other code, or tracing began right at a function's start (as at a
         -- system call's entry), but tracing that resumes mid-function (a thread switched back in)
         -- or a buffer that starts inside the module cut the entry off
         (prev_inside IS NOT NULL AND NOT after_gap) OR (tracing_kind = 'enabled' AND at_start) AS seen
  FROM marked
  WHERE inside AND (prev_inside IS NULL OR NOT prev_inside OR after_gap)
), bounded AS (
  -- a path ends at the first visit after its entry that is outside the module at the entry's
  -- level or above (a return, or a jump away), or that follows a stop of tracing
  SELECT e.*, min(m.run) AS end_run
  FROM entries e
  LEFT JOIN marked m ON m.segment_id = e.segment_id AND m.target = e.target AND m.run > e.start_run
   AND ((NOT m.inside AND m.level <= e.level) OR m.after_gap)
  GROUP BY ALL
), outermost AS (
  -- a callback into the module from code it called is part of the outer path, not one of its own
  SELECT * FROM (
    SELECT b.*, max(coalesce(b.end_run, 9223372036854775807)) OVER (
             PARTITION BY b.segment_id, b.target ORDER BY b.start_run
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS outer_end
    FROM bounded b)
  WHERE (outer_end IS NULL OR outer_end <= start_run) AND (seen OR getvariable('partial')::BOOLEAN)
), steps AS (
  SELECT o.segment_id, o.target, o.start_run, m.run, m.function, m.inside, m.insns,
         lag(m.function) OVER (
           PARTITION BY o.segment_id, o.target, o.start_run, m.inside ORDER BY m.run) AS prev_function
  FROM outermost o
  JOIN marked m ON m.segment_id = o.segment_id AND m.target = o.target
   AND m.run >= o.start_run AND (o.end_run IS NULL OR m.run < o.end_run)
), paths AS (
  SELECT o.segment_id, o.trace_id, o.target AS module, o.start_run, o.time_utc, o.end_run IS NOT NULL AS returned,
         string_agg(coalesce(s.function, '?'), ' > ' ORDER BY s.run)
           FILTER (WHERE s.inside AND s.function IS DISTINCT FROM s.prev_function) AS path,
         count(*) FILTER (WHERE s.inside AND s.function IS DISTINCT FROM s.prev_function) AS steps,
         sum(s.insns) AS instructions
  FROM outermost o
  JOIN steps s ON s.segment_id = o.segment_id AND s.target = o.target AND s.start_run = o.start_run
  GROUP BY ALL
)
SELECT p.module, p.path, count(*) AS times, count(*) FILTER (WHERE p.returned) AS returned,
       any_value(p.steps) AS steps, round(avg(p.instructions), 1) AS avg_instructions,
       count(DISTINCT p.segment_id) AS segments,
       string_agg(DISTINCT sp.process, ', ' ORDER BY sp.process) AS processes,
       string_agg(DISTINCT p.trace_id::VARCHAR, ', ' ORDER BY p.trace_id::VARCHAR) AS traces,
       min(p.time_utc) AS first_time_utc, max(p.time_utc) AS last_time_utc,
       min(p.segment_id) AS example_segment
FROM paths p
LEFT JOIN segment_process sp USING (segment_id)
GROUP BY p.module, p.path
ORDER BY p.module, times DESC, first_time_utc, p.path
