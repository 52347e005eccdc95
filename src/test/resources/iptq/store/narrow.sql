-- Stores the rows of blocks_in and branches_in (wide-tables.sql) as ingest does: one places row
-- per distinct address with its names, and block_rows and branch_rows naming them by id.
CREATE TEMP TABLE wide_places AS
WITH named AS (
  SELECT start_ip AS ip, module, function, function_offset,
         CASE WHEN function IS NULL THEN NULL
              WHEN coalesce(function_offset, 0) = 0 THEN function
              ELSE function || '+0x' || lower(printf('%x', function_offset)) END AS function_label
  FROM blocks_in
  UNION ALL
  SELECT ip, module, regexp_replace(label, '\+0x[0-9a-f]+$', ''),
         CASE WHEN label IS NULL THEN NULL
              WHEN regexp_matches(label, '\+0x[0-9a-f]+$') THEN ('0x' || regexp_extract(label, '\+0x([0-9a-f]+)$', 1))::BIGINT
              ELSE 0 END,
         label
  FROM (SELECT from_ip AS ip, from_module AS module, from_function AS label FROM branches_in
        UNION ALL
        SELECT to_ip, to_module, to_function FROM branches_in WHERE to_ip IS NOT NULL)
)
SELECT (row_number() OVER (ORDER BY ip, module, function, function_offset, function_label) - 1)::INTEGER AS place_id, *
FROM (SELECT DISTINCT * FROM named);

INSERT INTO places SELECT place_id, ip, module, function, function_offset, function_label FROM wide_places;

INSERT INTO block_rows
SELECT b.segment_id, b.seq, b.ts, b.pid, b.tid, p.place_id, (b.end_ip - b.start_ip)::UINTEGER, b.insns
FROM blocks_in b
JOIN wide_places p ON p.ip = b.start_ip AND p.module IS NOT DISTINCT FROM b.module
 AND p.function IS NOT DISTINCT FROM b.function AND p.function_offset IS NOT DISTINCT FROM b.function_offset
 AND p.function_label IS NOT DISTINCT FROM
     CASE WHEN b.function IS NULL THEN NULL
          WHEN coalesce(b.function_offset, 0) = 0 THEN b.function
          ELSE b.function || '+0x' || lower(printf('%x', b.function_offset)) END;

INSERT INTO branch_rows
SELECT b.segment_id, b.seq, b.ts, b.pid, b.tid, f.place_id, t.place_id,
       list_position(['jcc', 'jmp', 'jmp.ind', 'call', 'call.ind', 'ret', 'ret.compressed', 'far', 'async', 'disable'], b.kind) - 1,
       b.taken
FROM branches_in b
JOIN (SELECT ip, module, function_label, min(place_id) AS place_id FROM wide_places GROUP BY ALL) f
  ON f.ip = b.from_ip AND f.module IS NOT DISTINCT FROM b.from_module AND f.function_label IS NOT DISTINCT FROM b.from_function
LEFT JOIN (SELECT ip, module, function_label, min(place_id) AS place_id FROM wide_places GROUP BY ALL) t
  ON t.ip = b.to_ip AND t.module IS NOT DISTINCT FROM b.to_module AND t.function_label IS NOT DISTINCT FROM b.to_function;

DROP TABLE wide_places;
DROP TABLE blocks_in;
DROP TABLE branches_in;
