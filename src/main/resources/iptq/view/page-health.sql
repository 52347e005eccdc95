-- Decode health at a glance, over the picked segments (v_ids): one row per status (kind
-- 'status') and one per decode error kind (kind 'error'), with segments, rows and bytes skipped.
SELECT 'status' AS what, decode_status AS name, count(*) AS segments, sum(errors)::BIGINT AS n,
       sum(skipped_bytes)::BIGINT AS skipped
FROM segments WHERE list_contains(getvariable('v_ids'), segment_id)
GROUP BY ALL
UNION ALL
SELECT 'error', kind, count(DISTINCT segment_id), count(*), coalesce(sum(skipped_bytes), 0)::BIGINT
FROM decode_errors WHERE list_contains(getvariable('v_ids'), segment_id)
GROUP BY ALL
ORDER BY 1 DESC, 2
