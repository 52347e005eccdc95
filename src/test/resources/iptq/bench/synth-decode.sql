-- A large synthetic decode for the query benchmark, generated inside DuckDB (deterministic:
-- every value is a hash of the row's position). Variables: segments, blocks_per_segment.
-- Shape: 2,000 kernel functions and 500 user functions; each block has 4-10 instructions;
-- a function keeps running for 1-4 blocks; every 4th branch is a call or a return; 80% of the
-- segments are SystemCallExit-triggered, the rest CSwitch; 64 processes.

INSERT INTO traces VALUES (1, '/bench/synthetic.etl', 'etl', 0, NULL, 'qpc', 10000000, 8, 22631, 'bench');

INSERT INTO processes
SELECT 1, 1000 + p, 4, 1, NULL, NULL, 'proc' || p || '.exe', NULL, NULL, NULL, NULL
FROM range(0, 64) t(p);

INSERT INTO modules VALUES
  (1, 1, 0, '0xfffff80000000000'::UBIGINT, 16777216, '\SystemRoot\system32\ntoskrnl.exe', 'ntoskrnl.exe',
   0, 0, NULL, NULL, NULL, NULL, NULL, true, 'raw', 'pdb'),
  (2, 1, 0, '0x7ffa00000000'::UBIGINT, 16777216, 'C:\Windows\System32\ntdll.dll', 'ntdll.dll',
   0, 0, NULL, NULL, NULL, NULL, NULL, false, 'raw', 'pdb');

INSERT INTO symbols
SELECT CASE WHEN f < 2000 THEN 1 ELSE 2 END, (f % 2000) * 4096, 4096,
       CASE WHEN f < 2000 THEN 'KernelFn' ELSE 'UserFn' END || f, 'pdb-public'
FROM range(0, 2500) t(f);

INSERT INTO segments
SELECT s, 1, s * 100000, (s % 8)::INTEGER, (1000 + s % 64)::INTEGER, (5000 + s % 512)::INTEGER,
       CASE WHEN s % 5 = 4 THEN 'CSwitch' ELSE 'SystemCallExit' END, NULL, NULL, NULL, NULL, NULL, NULL,
       4096, NULL, NULL, NULL, s * 4096, 4096, NULL, false, 0, 0,
       getvariable('blocks_per_segment') - 1, 0, 0, 'ok', 0, NULL
FROM range(1, getvariable('segments') + 1) t(s);

-- block k of segment s: function = hash of (s, k / run length), kernel for 7 in 8 runs
CREATE TEMP TABLE g AS
SELECT s, k,
       (hash(s * 1000003 + k // (1 + hash(s * 7 + k // 4) % 4)) % 2500)::INTEGER AS f,
       (4 + hash(s * 31 + k) % 7)::INTEGER AS insns
FROM range(1, getvariable('segments') + 1) a(s), range(0, getvariable('blocks_per_segment')) b(k);

-- places: for each function and each of 16 offsets, where a block starts, where its branch
-- leaves (+40) and where it goes (+48)
INSERT INTO places
SELECT f * 16 + o,
       CASE WHEN f < 2000 THEN '0xfffff80000000000'::UBIGINT ELSE '0x7ffa00000000'::UBIGINT END
         + ((f % 2000) * 4096 + o * 64)::UBIGINT,
       CASE WHEN f < 2000 THEN 'ntoskrnl.exe' ELSE 'ntdll.dll' END,
       CASE WHEN f < 2000 THEN 'KernelFn' ELSE 'UserFn' END || f,
       o * 64,
       CASE WHEN f < 2000 THEN 'KernelFn' ELSE 'UserFn' END || f || CASE WHEN o > 0 THEN printf('+0x%x', o * 64) ELSE '' END
FROM range(0, 2500) a(f), range(0, 16) b(o);
INSERT INTO places
SELECT 40000 * e + f * 16 + o,
       '0xfffff80000000000'::UBIGINT + ((f % 2000) * 4096 + o * 64 + 32 + 8 * e)::UBIGINT,
       'ntoskrnl.exe', 'KernelFn' || f, o * 64 + 32 + 8 * e, 'KernelFn' || f
FROM range(0, 2500) a(f), range(0, 16) b(o), range(1, 3) c(e);

INSERT INTO block_rows
SELECT s, 2 * k + 1, s * 100000 - (getvariable('blocks_per_segment') - k) * 10,
       (1000 + s % 64)::INTEGER, (5000 + s % 512)::INTEGER,
       f * 16 + k % 16, 40, insns
FROM g;

INSERT INTO branch_rows
SELECT s, 2 * k + 2, s * 100000 - (getvariable('blocks_per_segment') - k) * 10 + 5,
       (1000 + s % 64)::INTEGER, (5000 + s % 512)::INTEGER,
       40000 + f * 16 + k % 16, 80000 + f * 16 + k % 16,
       CASE WHEN k % 8 = 3 THEN 3 WHEN k % 8 = 7 THEN 6 ELSE 0 END,
       k % 3 <> 0
FROM g
WHERE k < getvariable('blocks_per_segment') - 1;

DROP TABLE g;
