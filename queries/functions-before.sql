-- title: Functions before an event
-- description: For each segment triggered by an event, the functions that ran, in execution
--   order, ending at the event: back = 1 is the function running when the event fired,
--   back = 2 the one before it, and so on. One row per visit (consecutive blocks in one
--   function), with the instructions executed during it. Segments of every recording in the
--   database line up by time_utc, the wall-clock time of the event (trace_id says which
--   recording).
-- param: trigger : trigger = SystemCallExit -- the triggering event (segments.trigger)
-- param: last : integer = 10 -- keep the last N visits of each segment; 0 keeps them all
SELECT s.segment_id, s.trace_id, s.time_utc, s.ts AS event_ts, sp.process, s.pid, s.tid,
       r.back, r.function, r.module, r.insns, r.first_seq, r.last_seq
FROM segments s
JOIN function_runs r USING (segment_id)
LEFT JOIN segment_process sp USING (segment_id)
WHERE s."trigger" = getvariable('trigger')
  AND (getvariable('last')::BIGINT <= 0 OR r.back <= getvariable('last')::BIGINT)
ORDER BY s.time_utc NULLS LAST, s.trace_id, s.ts, s.segment_id, r.run
