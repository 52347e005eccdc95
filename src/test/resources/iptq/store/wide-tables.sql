-- Test data written as the views show it: blocks_in and branches_in take rows with the columns
-- of the blocks and branches views (names as text), and narrow.sql stores them as ingest does
-- (places, block_rows, branch_rows).
CREATE TEMP TABLE blocks_in AS SELECT * FROM blocks LIMIT 0;
CREATE TEMP TABLE branches_in AS SELECT * FROM branches LIMIT 0;
