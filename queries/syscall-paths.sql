-- title: System-call paths
-- description: Per system-call exit (segments triggered by the event), the kernel functions
--   on the path in execution order (consecutive blocks in one function once), grouped by
--   distinct path with how often each occurred.
-- param: trigger : trigger = SystemCallExit -- the triggering event
-- param: kernel_only : boolean = true -- only kernel-mode code (addresses in the upper half) on the path
WITH picked AS (
  SELECT r.segment_id, r.run, r.function, r.module, r.insns,
         lag(r.run) OVER w IS NULL
           OR lag(r.function) OVER w IS DISTINCT FROM r.function
           OR lag(r.module) OVER w IS DISTINCT FROM r.module AS starts
  FROM function_runs r
  WHERE r.segment_id IN (SELECT segment_id FROM segments WHERE "trigger" = getvariable('trigger'))
    AND (NOT getvariable('kernel_only')::BOOLEAN OR r.start_ip >= '0xffff800000000000'::UBIGINT)
  WINDOW w AS (PARTITION BY r.segment_id ORDER BY r.run)
), paths AS (
  -- leaving out user-mode visits can make two visits of one kernel function adjacent: once
  SELECT segment_id,
         string_agg(coalesce(function, '?'), ' > ' ORDER BY run) FILTER (WHERE starts) AS path,
         count(*) FILTER (WHERE starts) AS steps,
         sum(insns) AS instructions
  FROM picked
  GROUP BY segment_id
)
SELECT path, count(*) AS segments,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       any_value(steps) AS steps,
       round(avg(instructions), 1) AS avg_instructions,
       min(segment_id) AS example_segment
FROM paths
GROUP BY path
ORDER BY segments DESC, path
