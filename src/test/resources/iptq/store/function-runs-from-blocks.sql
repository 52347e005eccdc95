-- Fills function_runs from blocks, for databases whose blocks were not written by the flow
-- decoder's sink (the tests' known trace), and as the oracle the sink's visits are checked
-- against (FunctionRunsTest). One ordered pass marks the blocks where a visit starts
-- (its function or module differs from the block before) and where one ends, with running
-- sums of instructions and blocks; a second pass over only those edge rows pairs each start
-- with its end (the same row, or the next edge row) and numbers the visits both ways.
INSERT INTO function_run_rows
WITH stops AS (
  -- tracing stopped or packets were lost: a visit ends there
  SELECT segment_id, seq FROM flow_events WHERE kind IN ('disabled', 'overflow')
), stopped AS (
  -- each block with the last stop before it
  SELECT b.*, s.seq AS stop_seq
  FROM (SELECT r.*, p.module, p.function FROM block_rows r JOIN places p ON p.place_id = r.start_place) b
  ASOF LEFT JOIN stops s ON s.segment_id = b.segment_id AND b.seq > s.seq
), marked AS (
  SELECT segment_id, seq, ts, pid, tid, module, function, start_place, insns,
         lag(seq) OVER w IS NULL OR lag(function) OVER w IS DISTINCT FROM function
           OR lag(module) OVER w IS DISTINCT FROM module
           OR stop_seq > lag(seq) OVER w AS starts,
         lead(seq) OVER w IS NULL OR lead(function) OVER w IS DISTINCT FROM function
           OR lead(module) OVER w IS DISTINCT FROM module
           OR lead(stop_seq) OVER w > seq AS ends,
         sum(insns) OVER (w ROWS UNBOUNDED PRECEDING) AS upto,
         count(*) OVER (w ROWS UNBOUNDED PRECEDING) AS nth
  FROM stopped
  WINDOW w AS (PARTITION BY segment_id ORDER BY seq)
), edges AS (
  SELECT *,
         sum(starts::INTEGER) OVER (e ROWS UNBOUNDED PRECEDING) AS run,
         sum(starts::INTEGER) OVER (PARTITION BY segment_id) AS runs,
         lead(seq) OVER e AS next_seq, lead(ts) OVER e AS next_ts,
         lead(upto) OVER e AS next_upto, lead(nth) OVER e AS next_nth
  FROM marked
  WHERE starts OR ends
  WINDOW e AS (PARTITION BY segment_id ORDER BY seq)
)
SELECT segment_id, run, runs - run + 1, seq,
       CASE WHEN ends THEN seq ELSE next_seq END,
       pid, tid, start_place, ts,
       CASE WHEN ends THEN ts ELSE next_ts END,
       CASE WHEN ends THEN upto ELSE next_upto END - upto + insns,
       CASE WHEN ends THEN 1 ELSE next_nth - nth + 1 END,
       time_utc((SELECT s.trace_id FROM segments s WHERE s.segment_id = edges.segment_id), ts)
FROM edges
WHERE starts
ORDER BY segment_id, run;
