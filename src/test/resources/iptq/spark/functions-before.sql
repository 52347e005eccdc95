-- queries/functions-before.sql in Spark SQL, over the tables of a --parquet dataset (one view per
-- table). segment_process, a DuckDB view that the dataset does not hold, is written out here:
-- Spark's max_by is DuckDB's arg_max. The parameters are the report's defaults: trigger =
-- SystemCallExit, last = 10.
WITH segment_process AS (
  SELECT s.segment_id, max_by(p.name, coalesce(p.start_ts, -1)) AS process
  FROM segments s
  JOIN processes p ON p.trace_id = s.trace_id AND p.pid = s.pid
   AND (s.ts IS NULL OR ((p.start_ts IS NULL OR p.start_ts <= s.ts)
                     AND (p.end_ts IS NULL OR p.end_ts >= s.ts)))
  GROUP BY s.segment_id
)
SELECT s.segment_id, s.trace_id, s.time_utc, s.ts AS event_ts, sp.process, s.pid, s.tid,
       r.back, r.function, r.module, r.insns, r.first_seq, r.last_seq
FROM segments s
JOIN function_runs r ON r.segment_id = s.segment_id
LEFT JOIN segment_process sp ON sp.segment_id = s.segment_id
WHERE s.`trigger` = 'SystemCallExit'
  AND r.back <= 10
ORDER BY s.time_utc NULLS LAST, s.trace_id, s.ts, s.segment_id, r.run
