-- The input files of the picked segments (v_ids), with how many of them each holds.
SELECT t.trace_id, t.path, t.kind, t.clock, CAST(t.start_time AS VARCHAR) AS start_time,
       count(s.segment_id) AS segments, coalesce(sum(s.instructions), 0)::BIGINT AS instructions
FROM traces t
LEFT JOIN segments s ON s.trace_id = t.trace_id AND list_contains(getvariable('v_ids'), s.segment_id)
GROUP BY ALL
ORDER BY t.trace_id
