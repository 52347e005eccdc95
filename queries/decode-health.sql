-- title: Decode health
-- description: Per segment: how the decode went — errors by kind, return-compression
--   mismatches (a compressed return where the TNT bit said not taken, or with an empty call
--   stack), bytes skipped, and implausible paths: a routine that cannot have run while the
--   machine kept going (a bugcheck routine "running" when no bugcheck happened is a sign of
--   a wrong code image or a lost packet).
-- param: suspects : text = KeBugCheckEx,KeBugCheck2,KiBugCheckDispatch -- comma-separated functions that imply a crash
-- param: problems_only : boolean = false -- true: only segments with errors, skipped bytes, implausible paths or no flow
WITH kinds AS (
  SELECT segment_id, kind, count(*) AS n FROM decode_errors GROUP BY ALL
), errs AS (
  SELECT segment_id,
         string_agg(kind || ' ' || n, ', ' ORDER BY kind) AS errors_by_kind,
         coalesce(sum(n) FILTER (WHERE kind IN ('ret-not-taken', 'ret-empty-stack')), 0) AS ret_mismatches
  FROM kinds GROUP BY segment_id
), suspects AS (
  SELECT DISTINCT trim(unnest(string_split(getvariable('suspects'), ','))) AS function
), ran AS (
  SELECT b.segment_id, string_agg(DISTINCT b.function, ', ' ORDER BY b.function) AS functions
  FROM blocks b JOIN suspects USING (function)
  GROUP BY b.segment_id
), later AS (
  -- the last thing the trace recorded: the machine was still running then
  SELECT trace_id, max(ts) AS ts FROM (
    SELECT trace_id, ts FROM events UNION ALL SELECT trace_id, ts FROM segments)
  GROUP BY trace_id
), health AS (
  SELECT s.segment_id, s."trigger", s.decode_status, s.packets, s.instructions, s.errors,
         coalesce(e.errors_by_kind, '') AS errors_by_kind,
         coalesce(e.ret_mismatches, 0)::BIGINT AS ret_mismatches,
         s.skipped_bytes,
         CASE WHEN ran.functions IS NULL THEN NULL
              WHEN s.ts IS NOT NULL AND l.ts > s.ts
                THEN ran.functions || ' ran, yet the trace goes on after it: no bugcheck happened'
              ELSE ran.functions || ' ran' END AS implausible
  FROM segments s
  LEFT JOIN errs e USING (segment_id)
  LEFT JOIN ran USING (segment_id)
  LEFT JOIN later l USING (trace_id)
)
SELECT * FROM health
WHERE NOT getvariable('problems_only')::BOOLEAN
   OR errors > 0 OR skipped_bytes > 0 OR implausible IS NOT NULL OR decode_status <> 'ok'
ORDER BY segment_id
