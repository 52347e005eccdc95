-- The function and module names the steps of the picked segments carry, numbered: steps.sql
-- gives each row the number of its name instead of the name, so that the hundreds of thousands
-- of rows of a batch of segments are fetched as numbers (the driver decodes every text value it
-- returns; a batch has a few hundred distinct names).
CREATE OR REPLACE TEMP TABLE v_names AS
WITH picked AS (
  SELECT unnest(getvariable('v_ids')) AS segment_id
), named AS (
  SELECT DISTINCT coalesce(function, '[' || coalesce(module, 'no module') || ']') AS function, module
  FROM blocks WHERE segment_id IN (SELECT segment_id FROM picked)
  UNION
  SELECT DISTINCT regexp_replace(to_function, '\+0x[0-9a-f]+$', ''), to_module
  FROM branches
  WHERE segment_id IN (SELECT segment_id FROM picked) AND kind IN ('call', 'call.ind', 'ret', 'ret.compressed', 'far', 'async')
)
SELECT (row_number() OVER () - 1)::INTEGER AS name_id, function, module FROM named
