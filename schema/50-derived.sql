-- Tables derived from the decode tables when the database is written: what would need an
-- ordered pass over all blocks is collected once, by the flow decoder's sink as the blocks
-- stream by (Derived.fill completes it), rather than in every query.

CREATE TABLE function_run_rows (
  segment_id  BIGINT  NOT NULL,
  run         BIGINT  NOT NULL,
  back        BIGINT  NOT NULL,
  first_seq   BIGINT  NOT NULL,
  last_seq    BIGINT  NOT NULL,
  pid         INTEGER,
  tid         INTEGER,
  start_place INTEGER NOT NULL,
  start_ts    BIGINT,
  end_ts     BIGINT,
  insns      BIGINT  NOT NULL,
  blocks     BIGINT  NOT NULL,
  time_utc   TIMESTAMP_NS
);
COMMENT ON TABLE function_run_rows IS 'The stored rows of the function_runs view (which names their first place): one row per visit to a function, written by the flow decoder as the blocks stream by.';
COMMENT ON COLUMN function_run_rows.segment_id IS 'The buffer.';
COMMENT ON COLUMN function_run_rows.run IS 'function_runs.run.';
COMMENT ON COLUMN function_run_rows.back IS 'function_runs.back (set when the database is written).';
COMMENT ON COLUMN function_run_rows.first_seq IS 'function_runs.first_seq.';
COMMENT ON COLUMN function_run_rows.last_seq IS 'function_runs.last_seq.';
COMMENT ON COLUMN function_run_rows.pid IS 'function_runs.pid.';
COMMENT ON COLUMN function_run_rows.tid IS 'function_runs.tid.';
COMMENT ON COLUMN function_run_rows.start_place IS 'places.place_id of the visit''s first block (function_runs.start_ip, function, module).';
COMMENT ON COLUMN function_run_rows.start_ts IS 'function_runs.start_ts.';
COMMENT ON COLUMN function_run_rows.end_ts IS 'function_runs.end_ts.';
COMMENT ON COLUMN function_run_rows.insns IS 'function_runs.insns.';
COMMENT ON COLUMN function_run_rows.blocks IS 'function_runs.blocks.';
COMMENT ON COLUMN function_run_rows.time_utc IS 'function_runs.time_utc (set when the database is written).';
