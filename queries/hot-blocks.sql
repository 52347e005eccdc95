-- title: Hot blocks
-- description: Basic blocks by instructions executed and by executions, per process and
--   module, over the chosen segments.
-- param: by = instructions -- order by instructions or executions
-- param: limit = 20 -- rows to show; 0 shows all
-- param: trigger = * -- only segments with this trigger; * for all
WITH picked AS (
  SELECT segment_id FROM segments
  WHERE getvariable('trigger') = '*' OR "trigger" = getvariable('trigger')
), per AS (
  SELECT sp.process, b.module, b.function, b.function_offset, b.start_ip, b.end_ip,
         count(*) AS executions, sum(b.insns)::BIGINT AS instructions,
         count(DISTINCT b.segment_id) AS segments
  FROM blocks b
  LEFT JOIN segment_process sp USING (segment_id)
  WHERE b.segment_id IN (SELECT segment_id FROM picked)
  GROUP BY ALL
)
SELECT process, module, function, function_offset, start_ip, end_ip, instructions,
       round(100.0 * instructions / sum(instructions) OVER (), 2) AS pct_instructions,
       executions, segments
FROM per
QUALIFY getvariable('limit')::BIGINT <= 0
     OR row_number() OVER (ORDER BY CASE WHEN getvariable('by') = 'executions' THEN executions ELSE instructions END DESC,
                                    process, start_ip) <= getvariable('limit')::BIGINT
ORDER BY CASE WHEN getvariable('by') = 'executions' THEN executions ELSE instructions END DESC,
         process, start_ip
