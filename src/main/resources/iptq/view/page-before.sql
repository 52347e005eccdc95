-- The functions-before answer for the segments drawn in detail (v_ids): the last visits of each
-- segment, back = 1 running when the event fired (as queries/functions-before.sql with last = 10).
SELECT segment_id, back, coalesce(function, '[' || coalesce(module, 'no module') || ']') AS function,
       module, insns
FROM function_runs
WHERE list_contains(getvariable('v_ids'), segment_id) AND back <= 10
ORDER BY segment_id, back DESC
