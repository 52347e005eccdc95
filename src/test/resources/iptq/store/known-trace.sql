-- A known decode, shaped like what iptq ingest writes for a WPR trace with SystemCallExit- and
-- CSwitch-triggered IPT segments, plus a raw .pt trace. The paths are written once, as steps
-- (function, offset, instructions, bytes, ending branch); blocks and branches are derived from
-- them the way the flow decoder emits them: seq 0 is the 'enabled' flow event, block k has
-- seq 2k+1, the branch that ends it seq 2k+2, and it goes to the next block's start.
-- Run on a database made by Store.create (the real schema); tests assert report rows over it.

INSERT INTO traces VALUES
  (1, '/data/known.etl', 'etl', 1048576, TIMESTAMP '2026-11-02 09:30:00', 'qpc', 10000000, 8, 22631, 'WPR_initiated_WprApp_WPR System Collector'),
  (2, '/data/known.pt', 'raw-pt', 4096, NULL, 'none', NULL, NULL, NULL, NULL);

INSERT INTO processes VALUES
  (1, 4,    0,   0, 1703936,     18446708889339846720, 'System',       NULL, NULL, NULL, NULL),
  (1, 800,  4,   1, 2147483648,  18446708889340100608, 'explorer.exe', 'C:\Windows\explorer.exe', NULL, NULL, NULL),
  (1, 1234, 800, 1, 4831838208,  18446708889341149184, 'notepad.exe',  'notepad.exe C:\notes.txt', 100, NULL, NULL);

INSERT INTO threads VALUES
  (1, 8,    4,    NULL, NULL, 18446735277616541696, 0),
  (1, 900,  800,  NULL, NULL, 18446735277616541696, 140694538690560),
  (1, 5678, 1234, 150,  NULL, 18446735277616541696, 140699832238080);

-- kernel base 0xfffff80000000000; ntdll 0x7ffa00000000; notepad 0x7ff700000000; explorer 0x7ff600000000
INSERT INTO modules VALUES
  (1, 1, 0,    18446735277616529408, 16777216, '\SystemRoot\system32\ntoskrnl.exe', 'ntoskrnl.exe', 1699999999, 11304642, 'a1b2c3d4-0000-4000-8000-000000000001', 1, 'ntkrnlmp.pdb', NULL, NULL, true, 'kernel-dump', 'pdb'),
  (2, 1, 1234, 140711718551552,      2097152,  '\Device\HarddiskVolume3\Windows\System32\ntdll.dll', 'ntdll.dll', 1700000001, 2089541, 'a1b2c3d4-0000-4000-8000-000000000002', 1, 'ntdll.pdb', NULL, NULL, false, 'minidump', 'pdb'),
  (3, 1, 1234, 140698833649664,      327680,   '\Device\HarddiskVolume3\Windows\System32\notepad.exe', 'notepad.exe', 1700000002, 350123, NULL, NULL, NULL, 100, NULL, false, 'minidump', 'exports'),
  (4, 1, 800,  140711718551552,      2097152,  '\Device\HarddiskVolume3\Windows\System32\ntdll.dll', 'ntdll.dll', 1700000001, 2089541, 'a1b2c3d4-0000-4000-8000-000000000002', 1, 'ntdll.pdb', NULL, NULL, false, 'pe', 'pdb'),
  (5, 1, 800,  140694538682368,      4194304,  '\Device\HarddiskVolume3\Windows\explorer.exe', 'explorer.exe', 1700000003, 4001234, NULL, NULL, NULL, NULL, NULL, false, 'pe', 'exports');

INSERT INTO symbols VALUES
  (1, 4096,  512, 'KiSystemCall64',            'pdb-public'),
  (1, 8192,  1024,'NtReadFile',                'pdb-public'),
  (1, 12288, 512, 'ObReferenceObjectByHandle', 'pdb-public'),
  (1, 13312, 512, 'IopSynchronousServiceTail', 'pdb-public'),
  (1, 16384, 256, 'NtClose',                   'pdb-public'),
  (1, 16896, 512, 'ObpCloseHandle',            'pdb-public'),
  (1, 20480, 256, 'KeBugCheckEx',              'pdb-public'),
  (1, 24576, 256, 'KiSwapContext',             'pdb-public'),
  (1, 25088, 512, 'SwapContext',               'pdb-public'),
  (1, 28672, 256, 'KiIdleLoop',                'pdb-public'),
  (2, 2464,  32,  'NtReadFile',                'pdb-public'),
  (2, 2560,  32,  'NtClose',                   'pdb-public'),
  (3, 4096,  256, 'main',                      'exports'),
  (3, 4608,  256, 'ReadDocument',              'exports'),
  (4, 2464,  32,  'NtReadFile',                'pdb-public'),
  (4, 2560,  32,  'NtClose',                   'pdb-public'),
  (5, 8192,  256, 'CloseItem',                 'exports');

INSERT INTO events VALUES
  (1, 1, 0,    0, 4,    8,    'Process', 'ProcessDCStart', 3,  3,  'system',   4, 120, '{"pid":4,"name":"System"}', 'header', NULL),
  (2, 1, 100,  1, 1234, 5678, 'Process', 'ProcessStart',   1,  1,  'system',   4, 160, '{"pid":1234,"parent":800,"name":"notepad.exe"}', 'header', NULL),
  (3, 1, 150,  1, 1234, 5678, 'Thread',  'ThreadStart',    1,  1281, 'system', 3, 72, '{"tid":5678,"pid":1234}', 'header', NULL),
  (4, 1, 1000, 1, 1234, 5678, 'PerfInfo','SystemCallExit', 52, 3892, 'perfinfo', 2, 4, '{"status":0}', 'cswitch', NULL),
  (5, 1, 1000, 1, 1234, 5678, 'PerfInfo','ProcessorTrace', 0,  NULL, 'perfinfo', 0, 512, NULL, 'cswitch', NULL),
  (6, 1, 2000, 1, 1234, 5678, 'PerfInfo','SystemCallExit', 52, 3892, 'perfinfo', 2, 4, '{"status":0}', 'cswitch', NULL),
  (7, 1, 3000, 1, 1234, 5678, 'Thread',  'CSwitch',        36, 1316, 'compact',  4, 24, '{"new_tid":0,"old_tid":5678}', 'header', NULL),
  (8, 1, 4000, 2, 1234, 5678, 'PerfInfo','SystemCallExit', 52, 3892, 'perfinfo', 2, 4, '{"status":0}', 'cswitch', NULL),
  (9, 1, 5000, 3, 800,  900,  'PerfInfo','SystemCallExit', 52, 3892, 'perfinfo', 2, 4, '{"status":0}', 'cswitch', NULL),
  (10,1, 6000, 0, 4,    8,    'Thread',  'CSwitch',        36, 1316, 'compact',  4, 24, '{"new_tid":8,"old_tid":0}', 'header', NULL),
  (11,1, 7000, 1, 1234, 5678, 'Thread',  'ThreadEnd',      2,  1282, 'system',   3, 72, '{"tid":5678,"pid":1234}', 'header', NULL);

-- Functions by address, to write the paths below by name.
CREATE TEMP TABLE fn AS
SELECT s.module_id, m.pid, m.name AS module, s.name AS function, m.base + s.rva AS addr
FROM symbols s JOIN modules m USING (module_id);

-- (segment, k, pid of the module's process (0 kernel), function, offset, insns, bytes, ending branch kind, taken, lost)
CREATE TEMP TABLE steps (segment_id BIGINT, k INTEGER, mpid INTEGER, function VARCHAR, off INTEGER,
                         insns INTEGER, size INTEGER, bkind VARCHAR, taken BOOLEAN, lost BOOLEAN);
INSERT INTO steps VALUES
  -- 1: notepad's read, SystemCallExit
  (1, 0, 1234, 'ReadDocument',              16,  5, 20, 'call',           true, false),
  (1, 1, 1234, 'NtReadFile',                0,   3, 18, 'far',            true, false),
  (1, 2, 0,    'KiSystemCall64',            0,  20, 80, 'jcc',            true, false),
  (1, 3, 0,    'KiSystemCall64',            128, 6, 24, 'call.ind',       true, false),
  (1, 4, 0,    'NtReadFile',                0,  12, 48, 'call',           true, false),
  (1, 5, 0,    'ObReferenceObjectByHandle', 0,  15, 64, 'ret.compressed', true, false),
  (1, 6, 0,    'NtReadFile',                48,  8, 32, 'call',           true, false),
  (1, 7, 0,    'IopSynchronousServiceTail', 0,  10, 40, 'ret.compressed', true, false),
  (1, 8, 0,    'NtReadFile',                80,  4, 16, 'ret',            true, false),
  (1, 9, 0,    'KiSystemCall64',            152, 7, 28, NULL,             NULL, NULL),
  -- 2: the same read again from another place in notepad, SystemCallExit
  (2, 0, 1234, 'ReadDocument',              48,  4, 16, 'call',           true, false),
  (2, 1, 1234, 'NtReadFile',                0,   3, 18, 'far',            true, false),
  (2, 2, 0,    'KiSystemCall64',            0,  20, 80, 'jcc',            true, false),
  (2, 3, 0,    'KiSystemCall64',            128, 6, 24, 'call.ind',       true, false),
  (2, 4, 0,    'NtReadFile',                0,  12, 48, 'call',           true, false),
  (2, 5, 0,    'ObReferenceObjectByHandle', 0,  15, 64, 'ret.compressed', true, false),
  (2, 6, 0,    'NtReadFile',                48,  8, 32, 'call',           true, false),
  (2, 7, 0,    'IopSynchronousServiceTail', 0,  10, 40, 'ret.compressed', true, false),
  (2, 8, 0,    'NtReadFile',                80,  4, 16, 'ret',            true, false),
  (2, 9, 0,    'KiSystemCall64',            152, 7, 28, NULL,             NULL, NULL),
  -- 3: a context switch away from notepad's thread, CSwitch
  (3, 0, 0,    'KiSwapContext',             0,   6, 24, 'call',           true, false),
  (3, 1, 0,    'SwapContext',               0,  25, 96, 'jcc',            false, false),
  (3, 2, 0,    'SwapContext',               96,  9, 36, NULL,             NULL, NULL),
  -- 4: a close whose return did not decode; the decoder resynchronised inside KeBugCheckEx
  (4, 0, 1234, 'NtClose',                   0,   3, 18, 'far',            true, false),
  (4, 1, 0,    'KiSystemCall64',            0,  20, 80, 'jcc',            true, false),
  (4, 2, 0,    'KiSystemCall64',            128, 6, 24, 'call.ind',       true, false),
  (4, 3, 0,    'NtClose',                   0,   5, 20, 'call',           true, false),
  (4, 4, 0,    'ObpCloseHandle',            0,  11, 44, 'ret.compressed', true, true),
  (4, 5, 0,    'KeBugCheckEx',              16,  7, 28, 'jmp',            true, false),
  (4, 6, 0,    'KeBugCheckEx',              64,  3, 12, NULL,             NULL, NULL),
  -- 5: explorer closes a handle, SystemCallExit
  (5, 0, 800,  'CloseItem',                 8,   4, 16, 'call',           true, false),
  (5, 1, 800,  'NtClose',                   0,   3, 18, 'far',            true, false),
  (5, 2, 0,    'KiSystemCall64',            0,  20, 80, 'jcc',            true, false),
  (5, 3, 0,    'KiSystemCall64',            128, 6, 24, 'call.ind',       true, false),
  (5, 4, 0,    'NtClose',                   0,   5, 20, 'call',           true, false),
  (5, 5, 0,    'ObpCloseHandle',            0,  11, 44, 'ret.compressed', true, false),
  (5, 6, 0,    'NtClose',                   20,  3, 12, 'ret',            true, false),
  (5, 7, 0,    'KiSystemCall64',            152, 7, 28, NULL,             NULL, NULL);

INSERT INTO segments VALUES
  -- id, trace, ts, cpu, pid, tid, trigger, event, ipt_option, trace_mode, time_mode, mtc, cyc, buffer, session, child, code_mode,
  -- file_offset, size, position, wrapped, skipped, packets, branches, instructions, errors, status, cut_off_bytes, time_utc (counts and times filled below)
  (1, 1, 1000, 1, 1234, 5678, 'SystemCallExit', 4, 16842752, 0, 0, 0, 0, 4096, 0, false, 1, 65536,  812,  812,  false, 0,  0, 0, 0, 0, 'ok', 0, NULL),
  (2, 1, 2000, 1, 1234, 5678, 'SystemCallExit', 6, 16842752, 0, 0, 0, 0, 4096, 0, false, 1, 69632,  790,  790,  false, 0,  0, 0, 0, 0, 'ok', 0, NULL),
  (3, 1, 3000, 1, 1234, 5678, 'CSwitch',        7, 16842752, 0, 0, 0, 0, 4096, 0, false, 1, 73728,  300,  300,  false, 0,  0, 0, 0, 0, 'ok', 0, NULL),
  (4, 1, 4000, 2, 1234, 5678, 'SystemCallExit', 8, 16842752, 0, 0, 0, 0, 4096, 0, false, 1, 77824,  4096, 1536, true,  48, 0, 0, 0, 0, 'errors', 16, NULL),
  (5, 1, 5000, 3, 800,  900,  'SystemCallExit', 9, 16842752, 0, 0, 0, 0, 4096, 0, false, 1, 81920,  640,  640,  false, 0,  0, 0, 0, 0, 'ok', 0, NULL),
  (6, 1, 6000, 0, 4,    8,    'CSwitch',        10,16842752, 0, 0, 0, 0, 4096, 0, false, 1, 86016,  64,   64,   false, 0,  0, 0, 0, 0, 'code-missing', 0, NULL),
  (7, 2, NULL, NULL, NULL, NULL, NULL,          NULL, NULL,  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 4096, NULL, false, 0, 0, 0, 0, 0, 'no-code-given', 0, NULL);

CREATE TEMP TABLE placed AS
SELECT st.*, s.pid, s.tid, s.ts AS seg_ts, f.module, f.addr + st.off AS start_ip,
       count(*) OVER (PARTITION BY st.segment_id) AS n
FROM steps st
JOIN segments s USING (segment_id)
JOIN fn f ON f.function = st.function AND f.pid = st.mpid;

INSERT INTO blocks_in
SELECT segment_id, 2 * k + 1, seg_ts - 10 * (n - k), pid, tid, start_ip, start_ip + size - 2, insns,
       module, function, off
FROM placed;

-- A branch's from_function carries +0xoffset when the branch is not at the function's start.
INSERT INTO branches_in
SELECT p.segment_id, 2 * p.k + 2, p.seg_ts - 10 * (p.n - p.k) + 5, p.pid, p.tid,
       p.start_ip + p.size - 2,
       CASE WHEN p.lost THEN NULL WHEN p.taken THEN q.start_ip ELSE p.start_ip + p.size END,
       p.bkind, p.taken,
       p.module, p.function || '+0x' || lower(printf('%x', p.off + p.size - 2)),
       CASE WHEN p.lost THEN NULL ELSE q.module END,
       CASE WHEN p.lost THEN NULL WHEN q.off = 0 THEN q.function ELSE q.function || '+0x' || lower(printf('%x', q.off)) END
FROM placed p
JOIN placed q ON q.segment_id = p.segment_id AND q.k = p.k + 1
WHERE p.bkind IS NOT NULL;

INSERT INTO flow_events
SELECT segment_id, 0, seg_ts - 10 * n - 5, 'enabled', start_ip, NULL,
       module || '!' || function || CASE WHEN off = 0 THEN '' ELSE '+0x' || lower(printf('%x', off)) END
FROM placed WHERE k = 0;

INSERT INTO decode_errors VALUES
  (4, 416, 18446735277616546346, 'ret-not-taken', 'compressed return with a not-taken TNT bit at 0xfffff8000000422a (ntoskrnl.exe!ObpCloseHandle+0x2a)', 24, 'ntoskrnl.exe!ObpCloseHandle+0x2a'),
  (4, 1120, 18446735277616549960, 'no-code', 'no code at 0xfffff80000005048 (ntoskrnl.exe!KeBugCheckEx+0x48)', 8, 'ntoskrnl.exe!KeBugCheckEx+0x48');

INSERT INTO packets BY NAME SELECT * FROM (VALUES
  (6, 0,  'psb',     16, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 16, 'tsc',     8,  NULL, NULL, NULL, NULL, 987654321, NULL, NULL),
  (6, 24, 'psbend',  2,  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 26, 'tip.pge', 7,  18446735277616558080, 3, NULL, NULL, NULL, NULL, NULL),
  (6, 33, 'tnt.8',   1,  NULL, NULL, 5, 3, NULL, NULL, NULL),
  (6, 34, 'tip.pgd', 1,  NULL, 0, NULL, NULL, NULL, NULL, NULL),
  (7, 0,  'psb',     16, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, 16, 'psbend',  2,  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, 18, 'pad',     1,  NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) v(segment_id, "offset", kind, size, ip, ip_bytes, tnt_bits, tnt_count, payload, payload2, ts);

INSERT INTO instructions
SELECT segment_id, 2 * k + 1, start_ip + i * 4, 4, 'nop dword ptr [rax]'
FROM placed, range(0, 3) r(i)
WHERE segment_id = 3 AND k = 0;

UPDATE segments SET
  packets = (SELECT count(*) FROM packets p WHERE p.segment_id = segments.segment_id) + CASE WHEN segment_id <= 5 THEN 40 ELSE 0 END,
  branches = (SELECT count(*) FROM branches_in b WHERE b.segment_id = segments.segment_id),
  instructions = coalesce((SELECT sum(insns) FROM blocks_in b WHERE b.segment_id = segments.segment_id), 0),
  errors = (SELECT count(*) FROM decode_errors e WHERE e.segment_id = segments.segment_id);

-- Wall-clock times as ingest writes them.
UPDATE events SET time_utc = time_utc(trace_id, ts);
UPDATE segments SET time_utc = time_utc(trace_id, ts);

DROP TABLE placed;
DROP TABLE steps;
DROP TABLE fn;
