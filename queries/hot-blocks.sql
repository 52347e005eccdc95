-- title: Hot blocks
-- description: Basic blocks by instructions executed and by executions, per process and
--   module, over the chosen segments; traces lists the recordings (trace_id) they ran in.
-- param: by : instructions|executions = instructions -- order by instructions or executions
-- param: limit : integer = 20 -- rows to show; 0 shows all
-- param: trigger : trigger = * -- only segments with this trigger; * for all
WITH picked AS (
  SELECT segment_id FROM segments
  WHERE getvariable('trigger') = '*' OR "trigger" = getvariable('trigger')
), runs AS NOT MATERIALIZED (
  SELECT sp.process, b.module, b.function, b.function_offset, b.start_ip, b.end_ip, b.insns, b.segment_id
  FROM blocks b
  LEFT JOIN segment_process sp USING (segment_id)
  WHERE b.segment_id IN (SELECT segment_id FROM picked)
), per AS (
  SELECT process, module, function, function_offset, start_ip, end_ip,
         count(*) AS executions, sum(insns)::BIGINT AS instructions
  FROM runs
  GROUP BY ALL
), ranked AS (
  SELECT *,
         round(100.0 * instructions / sum(instructions) OVER (), 2) AS pct_instructions,
         row_number() OVER (ORDER BY CASE WHEN getvariable('by') = 'executions' THEN executions ELSE instructions END DESC,
                                     process, start_ip) AS rank
  FROM per
), shown AS (
  SELECT * FROM ranked
  WHERE getvariable('limit')::BIGINT <= 0 OR rank <= getvariable('limit')::BIGINT
), segment_counts AS (
  -- Counting distinct segments is the costly part over millions of blocks: do it only for the
  -- blocks shown.
  SELECT x.process, x.start_ip, x.end_ip, x.module, x.function, x.function_offset,
         count(DISTINCT x.segment_id) AS segments,
         string_agg(DISTINCT g.trace_id::VARCHAR, ', ' ORDER BY g.trace_id::VARCHAR) AS traces
  FROM runs x
  JOIN segments g ON g.segment_id = x.segment_id
  JOIN shown s ON s.process IS NOT DISTINCT FROM x.process AND s.start_ip = x.start_ip
              AND s.end_ip = x.end_ip AND s.module IS NOT DISTINCT FROM x.module
              AND s.function IS NOT DISTINCT FROM x.function
              AND s.function_offset IS NOT DISTINCT FROM x.function_offset
  GROUP BY ALL
)
-- the block's place as WinDbg and branches.from_function write it: name+0x2d6 (just the name at its start)
SELECT s.process, s.module,
       s.function || CASE WHEN s.function_offset > 0 THEN printf('+0x%x', s.function_offset) ELSE '' END AS function,
       s.start_ip, s.end_ip, s.instructions,
       s.pct_instructions, s.executions, c.segments, c.traces
FROM shown s
JOIN segment_counts c ON c.process IS NOT DISTINCT FROM s.process AND c.start_ip = s.start_ip
                     AND c.end_ip = s.end_ip AND c.module IS NOT DISTINCT FROM s.module
                     AND c.function IS NOT DISTINCT FROM s.function
                     AND c.function_offset IS NOT DISTINCT FROM s.function_offset
ORDER BY s.rank
