-- What the IPT decoders found in each segment.

CREATE TABLE packets (
  segment_id BIGINT   NOT NULL,
  "offset"   BIGINT   NOT NULL,
  kind       VARCHAR  NOT NULL,
  size       SMALLINT NOT NULL,
  ip         UBIGINT,
  ip_bytes   TINYINT,
  tnt_bits   UBIGINT,
  tnt_count  TINYINT,
  payload    UBIGINT,
  payload2   UBIGINT,
  tsc        UBIGINT,
  ts         BIGINT
);
COMMENT ON TABLE packets IS 'One row per Intel PT packet, in trace order.';
COMMENT ON COLUMN packets.segment_id IS 'The buffer (segments.segment_id).';
COMMENT ON COLUMN packets."offset" IS 'Byte offset of the packet in the segment''s decoded byte order (for a wrapped buffer, from the first PSB).';
COMMENT ON COLUMN packets.kind IS 'Packet kind in libipt ptdump''s names: psb, psbend, tnt.8, tnt.64, tip, tip.pge, tip.pgd, fup, pip, mode.exec, mode.tsx, tsc, mtc, tma, cyc, cbr, vmcs, ovf, stop, mnt, ptw, exstop, mwait, pwre, pwrx, cfe, evd, trig, pad.';
COMMENT ON COLUMN packets.size IS 'Packet size in bytes.';
COMMENT ON COLUMN packets.ip IS 'TIP/TIP.PGE/TIP.PGD/FUP: the full IP after last-IP decompression; NULL when suppressed or not an IP packet.';
COMMENT ON COLUMN packets.ip_bytes IS 'The IPBytes field (0 suppressed, 1 16-bit, 2 32-bit, 3 48-bit sign-extended, 4 48-bit, 6 64-bit).';
COMMENT ON COLUMN packets.tnt_bits IS 'TNT packets: the taken/not-taken bits, first branch in the highest of tnt_count bits.';
COMMENT ON COLUMN packets.tnt_count IS 'TNT packets: number of branch bits.';
COMMENT ON COLUMN packets.payload IS 'Kind-specific value: TSC value, PIP CR3, MODE bits, MTC CTC, TMA CTC, CYC count, CBR ratio, PTWRITE value, VMCS pointer, MNT payload, ...';
COMMENT ON COLUMN packets.payload2 IS 'Second kind-specific value: PIP NR bit, TMA fast counter, PTWRITE IP bit, ...';
COMMENT ON COLUMN packets.tsc IS 'Estimated time-stamp counter value from the timing packets so far (TSC, TMA+MTC, CYC+CBR); NULL before the first TSC packet.';
COMMENT ON COLUMN packets.ts IS 'tsc as ns since trace start, where the TSC frequency is known (--tsc-hz, or the ETL header); else NULL.';

-- blocks and branches are the largest tables by far (millions of rows per second of trace):
-- their rows keep only numbers. Every address a block starts at or a branch leaves or reaches
-- is a row of places, with its module and function written once; the views blocks and branches
-- (90-views.sql) join them back, so that queries name the columns as they always did.

CREATE TABLE places (
  place_id        INTEGER NOT NULL,
  ip              UBIGINT NOT NULL,
  module          VARCHAR,
  function        VARCHAR,
  function_offset BIGINT,
  function_label  VARCHAR
);
COMMENT ON TABLE places IS 'One row per code address the blocks and branches name, in one process''s view of the modules: the address with its module and function, written once for all the rows that reach it (block_rows, branch_rows and function_run_rows store its place_id).';
COMMENT ON COLUMN places.place_id IS 'Key: block_rows.start_place, branch_rows.from_place and to_place, function_run_rows.start_place.';
COMMENT ON COLUMN places.ip IS 'The address.';
COMMENT ON COLUMN places.module IS 'Module holding ip; NULL outside every module.';
COMMENT ON COLUMN places.function IS 'Function holding ip (symbol name, no offset); NULL without a symbol.';
COMMENT ON COLUMN places.function_offset IS 'ip minus the function''s start; NULL without a function.';
COMMENT ON COLUMN places.function_label IS 'function+0xoffset (just function at its start), as WinDbg writes it; NULL without a function.';

CREATE TABLE branch_rows (
  segment_id BIGINT   NOT NULL,
  seq        BIGINT   NOT NULL,
  ts         BIGINT,
  pid        INTEGER,
  tid        INTEGER,
  from_place INTEGER  NOT NULL,
  to_place   INTEGER,
  kind       UTINYINT NOT NULL,
  taken      BOOLEAN  NOT NULL
);
COMMENT ON TABLE branch_rows IS 'The stored rows of the branches view (which names its places and kind): one row per control-transfer instruction walked.';
COMMENT ON COLUMN branch_rows.segment_id IS 'The buffer.';
COMMENT ON COLUMN branch_rows.seq IS 'Position in the segment''s execution order (branches.seq).';
COMMENT ON COLUMN branch_rows.ts IS 'branches.ts.';
COMMENT ON COLUMN branch_rows.pid IS 'branches.pid.';
COMMENT ON COLUMN branch_rows.tid IS 'branches.tid.';
COMMENT ON COLUMN branch_rows.from_place IS 'places.place_id of the branch instruction (branches.from_ip, from_module, from_function).';
COMMENT ON COLUMN branch_rows.to_place IS 'places.place_id of where execution went (branches.to_ip, to_module, to_function); NULL where tracing stopped.';
COMMENT ON COLUMN branch_rows.kind IS 'branches.kind as its number: 0 jcc, 1 jmp, 2 jmp.ind, 3 call, 4 call.ind, 5 ret, 6 ret.compressed, 7 far, 8 async, 9 disable (the macro branch_kind names it).';
COMMENT ON COLUMN branch_rows.taken IS 'branches.taken.';

CREATE TABLE block_rows (
  segment_id  BIGINT   NOT NULL,
  seq         BIGINT   NOT NULL,
  ts          BIGINT,
  pid         INTEGER,
  tid         INTEGER,
  start_place INTEGER  NOT NULL,
  end_offset  UINTEGER NOT NULL,
  insns       INTEGER  NOT NULL
);
COMMENT ON TABLE block_rows IS 'The stored rows of the blocks view (which names their places): one row per run of straight-line code walked.';
COMMENT ON COLUMN block_rows.segment_id IS 'The buffer.';
COMMENT ON COLUMN block_rows.seq IS 'Position in the segment''s execution order (blocks.seq).';
COMMENT ON COLUMN block_rows.ts IS 'blocks.ts.';
COMMENT ON COLUMN block_rows.pid IS 'blocks.pid.';
COMMENT ON COLUMN block_rows.tid IS 'blocks.tid.';
COMMENT ON COLUMN block_rows.start_place IS 'places.place_id of the first instruction (blocks.start_ip, module, function, function_offset).';
COMMENT ON COLUMN block_rows.end_offset IS 'blocks.end_ip minus blocks.start_ip.';
COMMENT ON COLUMN block_rows.insns IS 'blocks.insns.';

CREATE TABLE instructions (
  segment_id BIGINT   NOT NULL,
  seq        BIGINT   NOT NULL,
  ip         UBIGINT  NOT NULL,
  size       TINYINT  NOT NULL,
  text       VARCHAR
);
COMMENT ON TABLE instructions IS 'One row per instruction executed; only filled with ingest --instructions (large).';
COMMENT ON COLUMN instructions.segment_id IS 'The buffer.';
COMMENT ON COLUMN instructions.seq IS 'The seq of the block the instruction belongs to.';
COMMENT ON COLUMN instructions.ip IS 'Instruction address.';
COMMENT ON COLUMN instructions.size IS 'Length in bytes.';
COMMENT ON COLUMN instructions.text IS 'Disassembly (capstone, Intel syntax).';

CREATE TABLE flow_events (
  segment_id BIGINT  NOT NULL,
  seq        BIGINT  NOT NULL,
  ts         BIGINT,
  kind       VARCHAR NOT NULL,
  ip         UBIGINT,
  payload    UBIGINT,
  ip_name    VARCHAR
);
COMMENT ON TABLE flow_events IS 'Trace events between instructions, as libipt ptxed prints them in brackets: enabled, disabled, resumed, interrupt, overflow, paging, vmcs, exec-mode, tsx, stop, exstop, mwait, pwre, pwrx, ptwrite, cbr, mnt; event trace: intr, iret, smi, rsm, sipi, init, vmentry, vmexit, shutdown, uintr, uiret, swintr, syscall; trig, iflags.';
COMMENT ON COLUMN flow_events.segment_id IS 'The buffer.';
COMMENT ON COLUMN flow_events.seq IS 'Position in the segment''s execution order (shared with blocks and branches).';
COMMENT ON COLUMN flow_events.ts IS 'Estimated ns since trace start.';
COMMENT ON COLUMN flow_events.kind IS 'The event kind.';
COMMENT ON COLUMN flow_events.ip IS 'The IP the event names, where it names one.';
COMMENT ON COLUMN flow_events.payload IS 'Kind-specific value: CR3 for paging, the PTWRITE value, the mode for exec-mode, ...';
COMMENT ON COLUMN flow_events.ip_name IS 'ip as module!function+0xoff (module+0xrva without a symbol); NULL when ip is NULL or in no module.';

CREATE TABLE decode_errors (
  segment_id BIGINT  NOT NULL,
  "offset"   BIGINT,
  ip         UBIGINT,
  kind       VARCHAR NOT NULL,
  message    VARCHAR NOT NULL,
  skipped_bytes BIGINT,
  ip_name    VARCHAR
);
COMMENT ON TABLE decode_errors IS 'One row per decode problem; decoding resumed at the next PSB.';
COMMENT ON COLUMN decode_errors.segment_id IS 'The buffer.';
COMMENT ON COLUMN decode_errors."offset" IS 'Byte offset in the segment where the problem was found.';
COMMENT ON COLUMN decode_errors.ip IS 'The IP the flow decoder was at, where it had one.';
COMMENT ON COLUMN decode_errors.kind IS 'Short stable name: bad-packet, truncated, reserved-ipbytes, nosync, no-code, bad-insn, ret-not-taken, ret-empty-stack, tnt-needed, tip-needed, tnt-left, psb-mismatch, overflow, unfixable-import, ...';
COMMENT ON COLUMN decode_errors.message IS 'What was wrong, for people; every address in it that lies in a module is followed by its name, as 0xfffff805620d14f0 (sampdrv.sys!SampKiSystemCall64).';
COMMENT ON COLUMN decode_errors.ip_name IS 'ip as module!function+0xoff (module+0xrva without a symbol); NULL when ip is NULL or in no module.';
COMMENT ON COLUMN decode_errors.skipped_bytes IS 'Bytes skipped to reach the next PSB (or the end).';
