-- title: Hot functions
-- description: Functions by instructions executed and by visits (entries: consecutive blocks
--   in one function count once), per process and module, over the chosen segments; traces
--   lists the recordings (trace_id) they ran in.
-- param: by : instructions|visits = instructions -- order by instructions or visits
-- param: limit : integer = 20 -- rows to show; 0 shows all
-- param: trigger : trigger = * -- only segments with this trigger; * for all
WITH picked AS (
  SELECT segment_id FROM segments
  WHERE getvariable('trigger') = '*' OR "trigger" = getvariable('trigger')
), runs AS NOT MATERIALIZED (
  SELECT sp.process, r.module, r.function, r.segment_id, r.insns, r.blocks
  FROM function_runs r
  LEFT JOIN segment_process sp USING (segment_id)
  WHERE r.segment_id IN (SELECT segment_id FROM picked)
), per AS (
  SELECT process, module, function,
         sum(insns) AS instructions, count(*) AS visits, sum(blocks) AS blocks
  FROM runs
  GROUP BY ALL
), ranked AS (
  SELECT *,
         round(100.0 * instructions / sum(instructions) OVER (), 2) AS pct_instructions,
         row_number() OVER (ORDER BY CASE WHEN getvariable('by') = 'visits' THEN visits ELSE instructions END DESC,
                                     process, module, function) AS rank
  FROM per
), shown AS (
  SELECT * FROM ranked
  WHERE getvariable('limit')::BIGINT <= 0 OR rank <= getvariable('limit')::BIGINT
), segment_counts AS (
  -- Counting distinct segments is the costly part over millions of visits: do it only for the
  -- functions shown.
  SELECT x.process, x.module, x.function, count(DISTINCT x.segment_id) AS segments,
         string_agg(DISTINCT g.trace_id::VARCHAR, ', ' ORDER BY g.trace_id::VARCHAR) AS traces
  FROM runs x
  JOIN segments g ON g.segment_id = x.segment_id
  JOIN shown s ON s.process IS NOT DISTINCT FROM x.process AND s.module IS NOT DISTINCT FROM x.module
              AND s.function IS NOT DISTINCT FROM x.function
  GROUP BY ALL
)
SELECT s.process, s.module, s.function, s.instructions, s.pct_instructions, s.visits, s.blocks,
       c.segments, c.traces
FROM shown s
JOIN segment_counts c ON c.process IS NOT DISTINCT FROM s.process AND c.module IS NOT DISTINCT FROM s.module
                     AND c.function IS NOT DISTINCT FROM s.function
ORDER BY s.rank
