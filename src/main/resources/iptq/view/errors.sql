-- The decode errors of the picked segments, with the time estimate of the last packet at or
-- before each (NULL when the segment has no timing packets).
WITH picked AS (
  SELECT unnest(getvariable('v_ids')) AS segment_id
), e AS (
  SELECT * FROM decode_errors WHERE segment_id IN (SELECT segment_id FROM picked)
), p AS (
  SELECT segment_id, "offset", ts FROM packets
  WHERE segment_id IN (SELECT segment_id FROM e) AND ts IS NOT NULL
)
SELECT e.segment_id, e."offset", e.ip, e.kind, e.message, e.skipped_bytes, p.ts
FROM e
ASOF LEFT JOIN p ON p.segment_id = e.segment_id AND p."offset" <= e."offset"
ORDER BY e.segment_id, e."offset" NULLS FIRST
