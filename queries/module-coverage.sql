-- title: Module coverage
-- description: Per module: the distinct blocks and functions executed, the module's known
--   functions (symbols) and the share of them that ran, instructions and block executions.
WITH ran AS (
  SELECT coalesce(module, '(no module)') AS module,
         count(DISTINCT start_ip) AS distinct_blocks,
         count(DISTINCT function) AS functions_run,
         sum(insns)::BIGINT AS instructions,
         count(*) AS block_executions,
         count(DISTINCT segment_id) AS segments
  FROM blocks
  GROUP BY ALL
), known AS (
  SELECT m.name AS module, count(DISTINCT s.name) AS functions_known
  FROM modules m JOIN symbols s USING (module_id)
  GROUP BY ALL
)
SELECT ran.module, distinct_blocks, functions_run, functions_known,
       round(100.0 * functions_run / functions_known, 1) AS pct_functions,
       instructions, block_executions, segments
FROM ran
LEFT JOIN known USING (module)
ORDER BY instructions DESC, module
