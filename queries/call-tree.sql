-- title: Call tree
-- description: Per segment, every call in execution order, indented by depth, with the
--   instructions executed inside it (the callee and everything it called, up to its return,
--   or to the end of the segment when it did not return). Segments of every recording in the
--   database follow one another by time_utc, their event's wall-clock time (trace_id says which
--   recording).
-- param: segment : segment = 0 -- the segment to show; 0 shows every segment
-- param: max_depth : integer = 100 -- leave out calls nested deeper than this
WITH picked AS (
  SELECT segment_id, trace_id, time_utc FROM segments
  WHERE getvariable('segment')::BIGINT = 0 OR segment_id = getvariable('segment')::BIGINT
), upto AS (
  -- instructions executed from the segment's start up to and including each block
  SELECT segment_id, seq,
         sum(insns) OVER (PARTITION BY segment_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS insns
  FROM blocks
  WHERE segment_id IN (SELECT segment_id FROM picked)
), totals AS (
  SELECT segment_id, max(insns) AS insns FROM upto GROUP BY segment_id
), c AS (
  SELECT * FROM calls
  WHERE segment_id IN (SELECT segment_id FROM picked) AND depth <= getvariable('max_depth')::INTEGER
)
SELECT c.segment_id, p.trace_id, p.time_utc, c.call_seq, c.depth,
       repeat('  ', c.depth) || coalesce(c.callee_module || '!', '')
         || coalesce(c.callee, printf('0x%x', c.target_ip)) AS call,
       (coalesce(r.insns, t.insns) - coalesce(a.insns, 0))::BIGINT AS insns,
       c.ret_seq IS NOT NULL AS returned,
       c.target_ip
FROM c
JOIN picked p ON p.segment_id = c.segment_id
ASOF LEFT JOIN upto a ON a.segment_id = c.segment_id AND a.seq <= c.call_seq
ASOF LEFT JOIN upto r ON r.segment_id = c.segment_id AND r.seq <= c.ret_seq
LEFT JOIN totals t ON t.segment_id = c.segment_id
ORDER BY p.time_utc NULLS LAST, p.trace_id, c.segment_id, c.call_seq
