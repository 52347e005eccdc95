-- function_runs comes from the flow decoder's sink, visit by visit in execution order; how many
-- visits a segment has is known only at its end, so the count from the end is set here.
-- time_utc too, in the same pass (one rewrite of the table): the trace's start plus start_ts.
UPDATE function_run_rows AS f
SET back = c.runs - f.run + 1,
    time_utc = make_timestamp_ns(c.start_ns + f.start_ts)
FROM (SELECT r.segment_id, max(r.run) AS runs, any_value(epoch_ns(t.start_time)) AS start_ns
      FROM function_run_rows r
      JOIN segments s USING (segment_id)
      LEFT JOIN traces t USING (trace_id)
      GROUP BY r.segment_id) AS c
WHERE f.segment_id = c.segment_id;

-- segments get theirs from the same start: ts is the time of the event the buffer accompanies.
UPDATE segments AS s
SET time_utc = make_timestamp_ns(epoch_ns(t.start_time) + s.ts)
FROM traces t
WHERE t.trace_id = s.trace_id AND t.start_time IS NOT NULL AND s.ts IS NOT NULL;
