-- The execution of the picked segments as the stack walk needs it, in seq order: each block
-- (instructions, function, module, ts) and each branch that moves the stack: +1 for a call, -1
-- for a return, and for a far transfer or interrupt +1 into the kernel from user code and -1
-- back out (x64 Windows: kernel addresses have the top bit set). Branches between two
-- functions by jmp need no row: the walk sees the next block's function change. Function and
-- module come as the name_id of v_names (names.sql, made for the same segments just before).
WITH picked AS (
  SELECT unnest(getvariable('v_ids')) AS segment_id
), steps AS (
  SELECT segment_id, seq, insns, coalesce(function, '[' || coalesce(module, 'no module') || ']') AS function,
         module, ts, 0 AS step
  FROM blocks
  WHERE segment_id IN (SELECT segment_id FROM picked)
  UNION ALL
  SELECT segment_id, seq, 0, regexp_replace(to_function, '\+0x[0-9a-f]+$', ''), to_module, ts,
         CASE WHEN kind IN ('call', 'call.ind') THEN 1
              WHEN kind IN ('ret', 'ret.compressed') THEN -1
              WHEN from_ip < 9223372036854775808::UBIGINT AND to_ip >= 9223372036854775808::UBIGINT THEN 1
              ELSE -1 END
  FROM branches
  WHERE segment_id IN (SELECT segment_id FROM picked)
    AND (kind IN ('call', 'call.ind', 'ret', 'ret.compressed')
         OR (kind IN ('far', 'async') AND to_ip IS NOT NULL
             AND (from_ip < 9223372036854775808::UBIGINT) <> (to_ip < 9223372036854775808::UBIGINT)))
)
SELECT s.segment_id, s.seq, s.insns, n.name_id, s.ts, s.step
FROM steps s
JOIN v_names n ON n.function IS NOT DISTINCT FROM s.function AND n.module IS NOT DISTINCT FROM s.module
ORDER BY s.segment_id, s.seq
