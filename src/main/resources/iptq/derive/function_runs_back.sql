-- function_runs comes from the flow decoder's sink, visit by visit in execution order; how many
-- visits a segment has is known only at its end, so the count from the end is set here.
UPDATE function_runs AS f
SET back = c.runs - f.run + 1
FROM (SELECT segment_id, max(run) AS runs FROM function_runs GROUP BY segment_id) AS c
WHERE f.segment_id = c.segment_id;
