-- title: Hot functions
-- description: Functions by instructions executed and by visits (entries: consecutive blocks
--   in one function count once), per process and module, over the chosen segments.
-- param: by = instructions -- order by instructions or visits
-- param: limit = 20 -- rows to show; 0 shows all
-- param: trigger = * -- only segments with this trigger; * for all
WITH picked AS (
  SELECT segment_id FROM segments
  WHERE getvariable('trigger') = '*' OR "trigger" = getvariable('trigger')
), per AS (
  SELECT sp.process, r.module, r.function,
         sum(r.insns) AS instructions, count(*) AS visits, sum(r.blocks) AS blocks,
         count(DISTINCT r.segment_id) AS segments
  FROM function_runs r
  LEFT JOIN segment_process sp USING (segment_id)
  WHERE r.segment_id IN (SELECT segment_id FROM picked)
  GROUP BY ALL
)
SELECT process, module, function, instructions,
       round(100.0 * instructions / sum(instructions) OVER (), 2) AS pct_instructions,
       visits, blocks, segments
FROM per
QUALIFY getvariable('limit')::BIGINT <= 0
     OR row_number() OVER (ORDER BY CASE WHEN getvariable('by') = 'visits' THEN visits ELSE instructions END DESC,
                                    process, module, function) <= getvariable('limit')::BIGINT
ORDER BY CASE WHEN getvariable('by') = 'visits' THEN visits ELSE instructions END DESC,
         process, module, function
