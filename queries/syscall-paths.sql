-- title: System-call paths
-- description: Per system-call exit (segments triggered by the event), the kernel functions
--   on the path in execution order (consecutive blocks in one function once), grouped by
--   distinct path with how often each occurred.
-- param: trigger = SystemCallExit -- the triggering event
-- param: kernel_only = true -- only kernel-mode code (addresses in the upper half) on the path
WITH picked AS (
  SELECT b.segment_id, b.seq, b.function, b.module, b.insns
  FROM blocks b
  WHERE b.segment_id IN (SELECT segment_id FROM segments WHERE "trigger" = getvariable('trigger'))
    AND (NOT getvariable('kernel_only')::BOOLEAN OR b.start_ip >= '0xffff800000000000'::UBIGINT)
), marked AS (
  SELECT *,
         CASE WHEN lag(seq) OVER w IS NULL THEN 1
              WHEN lag(function) OVER w IS NOT DISTINCT FROM function
               AND lag(module) OVER w IS NOT DISTINCT FROM module THEN 0
              ELSE 1 END AS starts
  FROM picked
  WINDOW w AS (PARTITION BY segment_id ORDER BY seq)
), paths AS (
  SELECT segment_id,
         string_agg(coalesce(function, '?'), ' > ' ORDER BY seq) FILTER (WHERE starts = 1) AS path,
         sum(starts) AS steps,
         sum(insns) AS instructions
  FROM marked
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
