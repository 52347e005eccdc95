-- title: Functions before an event
-- description: For each segment triggered by an event, the functions that ran, in execution
--   order, ending at the event: back = 1 is the function running when the event fired,
--   back = 2 the one before it, and so on. One row per visit (consecutive blocks in one
--   function), with the instructions executed during it.
-- param: trigger = SystemCallExit -- the triggering event (segments.trigger)
-- param: last = 10 -- keep the last N visits of each segment; 0 keeps them all
WITH picked AS (
  SELECT segment_id, ts, pid, tid FROM segments WHERE "trigger" = getvariable('trigger')
), runs AS (
  SELECT r.*, max(r.run) OVER (PARTITION BY r.segment_id) - r.run + 1 AS back
  FROM function_runs r
  WHERE r.segment_id IN (SELECT segment_id FROM picked)
)
SELECT p.segment_id, p.ts AS event_ts, sp.process, p.pid, p.tid,
       r.back, r.function, r.module, r.insns, r.first_seq, r.last_seq
FROM runs r
JOIN picked p USING (segment_id)
LEFT JOIN segment_process sp USING (segment_id)
WHERE getvariable('last')::BIGINT <= 0 OR r.back <= getvariable('last')::BIGINT
ORDER BY p.ts, p.segment_id, r.run
