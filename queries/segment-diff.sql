-- title: Segment diff
-- description: Two segments side by side, as sequences of function visits: where they first
--   diverge (step = visit number), then the functions only one of them ran, with their
--   visits and instructions. a_trace_id and b_trace_id say which recording each is from.
-- param: a : segment -- the first segment (segments.segment_id)
-- param: b : segment -- the second segment
WITH ra AS (
  SELECT run AS step, function, module, insns FROM function_runs WHERE segment_id = getvariable('a')::BIGINT
), rb AS (
  SELECT run AS step, function, module, insns FROM function_runs WHERE segment_id = getvariable('b')::BIGINT
), aligned AS (
  SELECT coalesce(ra.step, rb.step) AS step, ra.function AS fa, ra.module AS ma, rb.function AS fb, rb.module AS mb
  FROM ra FULL JOIN rb ON ra.step = rb.step
), divergence AS (
  SELECT * FROM aligned
  WHERE fa IS DISTINCT FROM fb OR ma IS DISTINCT FROM mb
  ORDER BY step LIMIT 1
), fa AS (
  SELECT function, module, min(step) AS step, count(*) AS visits, sum(insns) AS insns FROM ra GROUP BY ALL
), fb AS (
  SELECT function, module, min(step) AS step, count(*) AS visits, sum(insns) AS insns FROM rb GROUP BY ALL
), rows AS (
  SELECT 0 AS part, 'first divergence' AS what, step, fa AS a_function, ma AS a_module,
         NULL::BIGINT AS a_visits, NULL::HUGEINT AS a_insns,
         fb AS b_function, mb AS b_module, NULL::BIGINT AS b_visits, NULL::HUGEINT AS b_insns
  FROM divergence
  UNION ALL
  SELECT 0, 'same path', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  WHERE NOT EXISTS (SELECT 1 FROM divergence)
  UNION ALL
  SELECT 1, 'only in a', step, function, module, visits, insns, NULL, NULL, NULL, NULL
  FROM fa WHERE NOT EXISTS (SELECT 1 FROM fb WHERE fb.function IS NOT DISTINCT FROM fa.function
                                                AND fb.module IS NOT DISTINCT FROM fa.module)
  UNION ALL
  SELECT 2, 'only in b', step, NULL, NULL, NULL, NULL, function, module, visits, insns
  FROM fb WHERE NOT EXISTS (SELECT 1 FROM fa WHERE fa.function IS NOT DISTINCT FROM fb.function
                                                AND fa.module IS NOT DISTINCT FROM fb.module)
)
SELECT what, step, a_function, a_module, a_visits, a_insns::BIGINT AS a_insns,
       b_function, b_module, b_visits, b_insns::BIGINT AS b_insns,
       (SELECT trace_id FROM segments WHERE segment_id = getvariable('a')::BIGINT) AS a_trace_id,
       (SELECT trace_id FROM segments WHERE segment_id = getvariable('b')::BIGINT) AS b_trace_id
FROM rows
ORDER BY part, step
