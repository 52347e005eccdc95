-- The segments a picture shows, in event order (time_utc, so that several recordings follow one
-- another in wall-clock time), with what their tracks are named by.
-- Filters are DuckDB variables; NULL (an empty list for v_segments) means "any" (set by
-- iptq.view.Selection).
-- timed: the blocks carry at least two distinct time estimates, so the segment has a time axis
-- of its own; otherwise every block has the event's ts and instructions are the only axis.
WITH picked AS (
  SELECT s.* FROM segments s
  WHERE (len(getvariable('v_segments')) = 0 OR list_contains(getvariable('v_segments'), s.segment_id))
    AND (getvariable('v_trace') IS NULL OR s.trace_id = getvariable('v_trace'))
    AND (getvariable('v_pid') IS NULL OR s.pid = getvariable('v_pid'))
    AND (getvariable('v_tid') IS NULL OR s.tid = getvariable('v_tid'))
    AND (getvariable('v_from') IS NULL OR s.ts >= getvariable('v_from'))
    AND (getvariable('v_to') IS NULL OR s.ts <= getvariable('v_to'))
), stamps AS (
  SELECT segment_id, count(DISTINCT ts) AS stamps
  FROM blocks WHERE segment_id IN (SELECT segment_id FROM picked)
  GROUP BY segment_id
)
SELECT p.segment_id, p.trace_id, p.ts, p.pid, p.tid, p.cpu, p."trigger", p.trigger_event_id,
       sp.process, p.instructions, p.branches, p.errors, p.skipped_bytes, p.size_bytes,
       p.decode_status, coalesce(st.stamps, 0) >= 2 AS timed
FROM picked p
LEFT JOIN segment_process sp USING (segment_id)
LEFT JOIN stamps st USING (segment_id)
ORDER BY p.time_utc NULLS FIRST, p.ts NULLS FIRST, p.trace_id, p.segment_id
