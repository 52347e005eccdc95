-- Tables derived from the decode tables when the database is written: what would need an
-- ordered pass over all blocks is collected once, by the flow decoder's sink as the blocks
-- stream by (Derived.fill completes it), rather than in every query.

CREATE TABLE function_runs (
  segment_id BIGINT  NOT NULL,
  run        BIGINT  NOT NULL,
  back       BIGINT  NOT NULL,
  first_seq  BIGINT  NOT NULL,
  last_seq   BIGINT  NOT NULL,
  pid        INTEGER,
  tid        INTEGER,
  function   VARCHAR,
  module     VARCHAR,
  start_ip   UBIGINT NOT NULL,
  start_ts   BIGINT,
  end_ts     BIGINT,
  insns      BIGINT  NOT NULL,
  blocks     BIGINT  NOT NULL,
  time_utc   TIMESTAMP_NS
);
COMMENT ON TABLE function_runs IS 'One row per visit to a function: consecutive blocks of a segment in the same function and module collapsed into one, a stop of tracing (flow_events disabled or overflow) ending a visit (written by the flow decoder as the blocks stream by).';
COMMENT ON COLUMN function_runs.segment_id IS 'The buffer (segments.segment_id).';
COMMENT ON COLUMN function_runs.run IS 'Visit number within the segment, 1, 2, ... in execution order.';
COMMENT ON COLUMN function_runs.back IS 'Visit number counted from the segment''s end: 1 is the visit running when the trace stopped (at the triggering event).';
COMMENT ON COLUMN function_runs.first_seq IS 'seq of the visit''s first block.';
COMMENT ON COLUMN function_runs.last_seq IS 'seq of the visit''s last block.';
COMMENT ON COLUMN function_runs.pid IS 'Process id (of the first block).';
COMMENT ON COLUMN function_runs.tid IS 'Thread id (of the first block).';
COMMENT ON COLUMN function_runs.function IS 'The function (blocks.function); NULL for code without a symbol.';
COMMENT ON COLUMN function_runs.module IS 'The module (blocks.module).';
COMMENT ON COLUMN function_runs.start_ip IS 'Address of the visit''s first instruction.';
COMMENT ON COLUMN function_runs.start_ts IS 'ns since trace start at the visit''s first block.';
COMMENT ON COLUMN function_runs.end_ts IS 'ns since trace start at the start of the visit''s last block.';
COMMENT ON COLUMN function_runs.insns IS 'Instructions executed during the visit.';
COMMENT ON COLUMN function_runs.blocks IS 'Blocks in the visit.';
COMMENT ON COLUMN function_runs.time_utc IS 'Wall-clock time (UTC) of start_ts: traces.start_time + start_ts ns (set when the database is written).';
