-- Segments by triggering event and process, over the picked segments (v_ids).
SELECT coalesce(s."trigger", '(none)') AS "trigger", coalesce(sp.process, '(unknown)') AS process,
       count(*) AS segments, sum(s.instructions)::BIGINT AS instructions
FROM segments s
LEFT JOIN segment_process sp USING (segment_id)
WHERE list_contains(getvariable('v_ids'), s.segment_id)
GROUP BY ALL
ORDER BY 1, 2
