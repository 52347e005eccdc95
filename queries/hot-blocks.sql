-- title: Hot blocks
-- description: Basic blocks by instructions executed and by executions, per process and
--   module, over the chosen segments; traces lists the recordings (trace_id) they ran in.
-- param: by : instructions|executions = instructions -- order by instructions or executions
-- param: limit : integer = 20 -- rows to show; 0 shows all
-- param: trigger : trigger = * -- only segments with this trigger; * for all
-- Over block_rows, the stored blocks (see schema/30-decode.sql): counted by process and place
-- on integers first, named afterwards, which over tens of millions of blocks is several times
-- faster than grouping the blocks view by its names.
WITH picked AS (
  SELECT s.segment_id, s.trace_id, sp.process
  FROM segments s
  LEFT JOIN segment_process sp USING (segment_id)
  WHERE getvariable('trigger') = '*' OR s."trigger" = getvariable('trigger')
), per_place AS (
  SELECT p.process, b.start_place, b.end_offset, count(*) AS executions, sum(b.insns) AS instructions
  FROM block_rows b
  JOIN picked p USING (segment_id)
  GROUP BY ALL
), per AS (
  -- places with the same address and names (seen by several processes' symbol maps) are one block
  SELECT x.process, pl.module, pl.function, pl.function_offset, pl.ip AS start_ip, pl.ip + x.end_offset AS end_ip,
         sum(x.executions)::BIGINT AS executions, sum(x.instructions)::BIGINT AS instructions
  FROM per_place x
  JOIN places pl ON pl.place_id = x.start_place
  GROUP BY ALL
), ranked AS (
  SELECT *,
         round(100.0 * instructions / sum(instructions) OVER (), 2) AS pct_instructions,
         row_number() OVER (ORDER BY CASE WHEN getvariable('by') = 'executions' THEN executions ELSE instructions END DESC,
                                     process, start_ip) AS rank
  FROM per
), shown AS MATERIALIZED (
  SELECT * FROM ranked
  WHERE getvariable('limit')::BIGINT <= 0 OR rank <= getvariable('limit')::BIGINT
), shown_places AS MATERIALIZED (
  -- the places of the blocks shown: counting distinct segments is the costly part over
  -- millions of blocks, so it is done only for these
  SELECT pl.place_id, (s.end_ip - s.start_ip)::UINTEGER AS end_offset, s.rank, s.process
  FROM shown s
  JOIN places pl ON pl.ip = s.start_ip AND pl.module IS NOT DISTINCT FROM s.module
                AND pl.function IS NOT DISTINCT FROM s.function
                AND pl.function_offset IS NOT DISTINCT FROM s.function_offset
), segment_counts AS (
  SELECT sp.rank, count(DISTINCT b.segment_id) AS segments,
         string_agg(DISTINCT p.trace_id::VARCHAR, ', ' ORDER BY p.trace_id::VARCHAR) AS traces
  FROM block_rows b
  JOIN picked p USING (segment_id)
  JOIN shown_places sp ON sp.place_id = b.start_place AND sp.end_offset = b.end_offset
                      AND sp.process IS NOT DISTINCT FROM p.process
  WHERE b.start_place IN (SELECT place_id FROM shown_places)
  GROUP BY sp.rank
)
-- the block's place as WinDbg and branches.from_function write it: name+0x2d6 (just the name at its start)
SELECT s.process, s.module,
       s.function || CASE WHEN s.function_offset > 0 THEN printf('+0x%x', s.function_offset) ELSE '' END AS function,
       s.start_ip, s.end_ip, s.instructions,
       s.pct_instructions, s.executions, c.segments, c.traces
FROM shown s
JOIN segment_counts c USING (rank)
ORDER BY s.rank
