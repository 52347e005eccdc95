-- title: Module coverage
-- description: Per module: the distinct blocks and functions executed, the module's known
--   functions (symbols) and the share of them that ran, instructions and block executions, and
--   the recordings (trace_id) it ran in.
WITH ran AS (
  SELECT coalesce(module, '(no module)') AS module,
         count(DISTINCT start_ip) AS distinct_blocks,
         count(DISTINCT function) AS functions_run,
         sum(insns)::BIGINT AS instructions,
         count(*) AS block_executions,
         count(DISTINCT segment_id) AS segments
  FROM blocks
  GROUP BY ALL
), in_traces AS (
  -- per module the recordings it ran in, from the few (module, segment) pairs rather than every block
  SELECT module, string_agg(DISTINCT g.trace_id::VARCHAR, ', ' ORDER BY g.trace_id::VARCHAR) AS traces
  FROM (SELECT DISTINCT coalesce(module, '(no module)') AS module, segment_id FROM blocks) b
  JOIN segments g USING (segment_id)
  GROUP BY module
), known AS (
  SELECT m.name AS module, count(DISTINCT s.name) AS functions_known
  FROM modules m JOIN symbols s USING (module_id)
  GROUP BY ALL
)
SELECT ran.module, distinct_blocks, functions_run, functions_known,
       round(100.0 * functions_run / functions_known, 1) AS pct_functions,
       instructions, block_executions, segments, in_traces.traces
FROM ran
LEFT JOIN known USING (module)
LEFT JOIN in_traces USING (module)
ORDER BY instructions DESC, module
