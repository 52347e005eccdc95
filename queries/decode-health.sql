-- title: Decode health
-- description: Per segment: how the decode went and whether the path is plausible. Errors by
--   kind; bytes skipped after errors (skipped_bytes) apart from the normal cut-off of a wrapped
--   ring buffer (cut_off_bytes, never a problem); and the plausibility checks, each a column:
--   return-compression mismatches (a compressed return where the TNT bit said not taken, or
--   with an empty call stack), a bugcheck routine that "ran" while the trace went on (a wrong
--   code image or a lost packet), and whether the segment ends where its trigger says it must:
--   a SystemCallExit segment in the system-service return path, a CSwitch segment in the
--   context-swap code, by the names of the function running at the end (ends_in) or of the target of
--   the trace's last branch (a service returning into the dispatcher). That check
--   is NULL where the trigger has no rule, the end has no name, or no symbol of the trace
--   matches the rule at all (nothing to judge by).
-- param: suspects : text = KeBugCheck%,KiBugCheck% -- comma-separated function names (LIKE patterns) that imply a crash
-- param: syscall_exit : text = %KiSystemServiceExit%,%KiSystemCall64%,%KiSystemServiceCopyEnd%,%KiSystemServiceUser% -- where a SystemCallExit segment must end (LIKE patterns)
-- param: cswitch : text = %SwapContext%,%KiSwapThread% -- where a CSwitch segment must end (LIKE patterns)
-- param: problems_only : boolean = false -- true: only segments with errors, bytes skipped after errors, a failed plausibility check or no flow
WITH kinds AS (
  SELECT segment_id, kind, count(*) AS n FROM decode_errors GROUP BY ALL
), errs AS (
  SELECT segment_id,
         string_agg(kind || ' ' || n, ', ' ORDER BY kind) AS errors_by_kind,
         coalesce(sum(n) FILTER (WHERE kind IN ('ret-not-taken', 'ret-empty-stack')), 0) AS ret_mismatches
  FROM kinds GROUP BY segment_id
), patterns AS (
  SELECT 'suspect' AS rule, trim(p) AS pattern FROM unnest(string_split(getvariable('suspects'), ',')) t(p)
  UNION ALL
  SELECT 'SystemCallExit', trim(p) FROM unnest(string_split(getvariable('syscall_exit'), ',')) t(p)
  UNION ALL
  SELECT 'CSwitch', trim(p) FROM unnest(string_split(getvariable('cswitch'), ',')) t(p)
), ran AS (
  SELECT r.segment_id, string_agg(DISTINCT r.function, ', ' ORDER BY r.function) AS functions
  FROM function_runs r JOIN patterns p ON p.rule = 'suspect' AND r.function LIKE p.pattern
  GROUP BY r.segment_id
), later AS (
  -- the last thing the trace recorded: the machine was still running then
  SELECT trace_id, max(ts) AS ts FROM (
    SELECT trace_id, ts FROM events UNION ALL SELECT trace_id, ts FROM segments)
  GROUP BY trace_id
), judgeable AS (
  -- a rule can be judged in a trace only if some symbol of its modules matches it
  SELECT DISTINCT m.trace_id, p.rule
  FROM symbols y JOIN modules m USING (module_id) JOIN patterns p ON y.name LIKE p.pattern
  WHERE p.rule <> 'suspect'
), last_branch AS (
  -- the trace's last proven transfer: the walk stops at the end of the trace right after it, so
  -- a service routine's return into the dispatcher ends a SystemCallExit buffer in the service
  SELECT segment_id, arg_max(to_function, seq) AS to_function FROM branches GROUP BY segment_id
), ends AS (
  SELECT r.segment_id, r.module, r.function,
         bool_or(r.function LIKE p.pattern OR lb.to_function LIKE p.pattern) AS matches
  FROM function_runs r
  JOIN segments s USING (segment_id)
  LEFT JOIN last_branch lb USING (segment_id)
  LEFT JOIN patterns p ON p.rule = s."trigger"
  WHERE r.back = 1
  GROUP BY ALL
), health AS (
  SELECT s.segment_id, s.trace_id, s.time_utc, s."trigger", s.decode_status, s.packets, s.instructions,
         s.errors, coalesce(e.errors_by_kind, '') AS errors_by_kind,
         (s.skipped_bytes - coalesce(s.cut_off_bytes, 0))::BIGINT AS skipped_bytes,
         coalesce(s.cut_off_bytes, 0)::BIGINT AS cut_off_bytes,
         coalesce(e.ret_mismatches, 0)::BIGINT AS ret_mismatches,
         CASE WHEN ran.functions IS NOT NULL AND s.ts IS NOT NULL AND l.ts > s.ts
              THEN ran.functions END AS bugcheck_ran,
         CASE WHEN x.function IS NOT NULL THEN x.module || '!' || x.function END AS ends_in,
         CASE WHEN x.function IS NULL OR j.rule IS NULL THEN NULL ELSE coalesce(x.matches, false) END AS ends_as_expected
  FROM segments s
  LEFT JOIN errs e USING (segment_id)
  LEFT JOIN ran USING (segment_id)
  LEFT JOIN later l USING (trace_id)
  LEFT JOIN ends x USING (segment_id)
  LEFT JOIN judgeable j ON j.trace_id = s.trace_id AND j.rule = s."trigger"
)
SELECT * FROM health
WHERE NOT getvariable('problems_only')::BOOLEAN
   OR errors > 0 OR skipped_bytes > 0 OR ret_mismatches > 0 OR bugcheck_ran IS NOT NULL
   OR ends_as_expected = false OR decode_status <> 'ok'
ORDER BY time_utc NULLS LAST, trace_id, segment_id
