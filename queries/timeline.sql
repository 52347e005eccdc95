-- title: Thread timeline
-- description: The kernel events and IPT segments of one thread in time order (time_utc, so
--   that several recordings line up); a segment (the code that ran up to its triggering
--   event) is listed before that event.
-- param: tid : integer -- the thread id
-- param: trace : integer = 0 -- the trace (traces.trace_id); 0 for every trace
SELECT * FROM (
  SELECT time_utc, ts, trace_id, 'event' AS what, name, event_id AS id, pid, cpu, fields AS detail
  FROM events
  WHERE tid = getvariable('tid')::INTEGER
    AND (getvariable('trace')::INTEGER = 0 OR trace_id = getvariable('trace')::INTEGER)
  UNION ALL
  SELECT time_utc(trace_id, ts), ts, trace_id, 'segment', "trigger", segment_id, pid, cpu,
         instructions || ' instructions, ' || errors || ' errors'
           || coalesce(', ' || first_function || ' .. ' || last_function, '')
  FROM segment_summary
  WHERE tid = getvariable('tid')::INTEGER
    AND (getvariable('trace')::INTEGER = 0 OR trace_id = getvariable('trace')::INTEGER)
)
ORDER BY time_utc NULLS LAST, ts NULLS LAST, trace_id, what DESC, id
