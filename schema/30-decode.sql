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

CREATE TABLE branches (
  segment_id    BIGINT  NOT NULL,
  seq           BIGINT  NOT NULL,
  ts            BIGINT,
  pid           INTEGER,
  tid           INTEGER,
  from_ip       UBIGINT NOT NULL,
  to_ip         UBIGINT,
  kind          VARCHAR NOT NULL,
  taken         BOOLEAN NOT NULL,
  from_module   VARCHAR,
  from_function VARCHAR,
  to_module     VARCHAR,
  to_function   VARCHAR
);
COMMENT ON TABLE branches IS 'One row per control-transfer instruction the flow decoder walked (taken or not), in execution order.';
COMMENT ON COLUMN branches.segment_id IS 'The buffer.';
COMMENT ON COLUMN branches.seq IS 'Position in the segment''s execution order; blocks, branches and flow_events share one sequence.';
COMMENT ON COLUMN branches.ts IS 'Estimated ns since trace start; the segment''s ts when there are no timing packets.';
COMMENT ON COLUMN branches.pid IS 'Process id (the segment''s, or from PIP/CR3).';
COMMENT ON COLUMN branches.tid IS 'Thread id.';
COMMENT ON COLUMN branches.from_ip IS 'Address of the branch instruction.';
COMMENT ON COLUMN branches.to_ip IS 'Where execution went next (the fall-through for a not-taken jcc); NULL where tracing stopped.';
COMMENT ON COLUMN branches.kind IS 'jcc, jmp, jmp.ind, call, call.ind, ret, ret.compressed, far (syscall, sysret, int, iret, far jmp/call/ret), async (interrupt/exception: from FUP to TIP), disable (TIP.PGD).';
COMMENT ON COLUMN branches.taken IS 'False only for a not-taken conditional branch.';
COMMENT ON COLUMN branches.from_module IS 'Module holding from_ip.';
COMMENT ON COLUMN branches.from_function IS 'Function holding from_ip, as name+0xoffset when not at its start.';
COMMENT ON COLUMN branches.to_module IS 'Module holding to_ip.';
COMMENT ON COLUMN branches.to_function IS 'Function holding to_ip.';

CREATE TABLE blocks (
  segment_id      BIGINT  NOT NULL,
  seq             BIGINT  NOT NULL,
  ts              BIGINT,
  pid             INTEGER,
  tid             INTEGER,
  start_ip        UBIGINT NOT NULL,
  end_ip          UBIGINT NOT NULL,
  insns           INTEGER NOT NULL,
  module          VARCHAR,
  function        VARCHAR,
  function_offset BIGINT
);
COMMENT ON TABLE blocks IS 'One row per run of straight-line code the flow decoder walked, in execution order.';
COMMENT ON COLUMN blocks.segment_id IS 'The buffer.';
COMMENT ON COLUMN blocks.seq IS 'Position in the segment''s execution order (shared with branches and flow_events).';
COMMENT ON COLUMN blocks.ts IS 'Estimated ns since trace start at the block''s start.';
COMMENT ON COLUMN blocks.pid IS 'Process id.';
COMMENT ON COLUMN blocks.tid IS 'Thread id.';
COMMENT ON COLUMN blocks.start_ip IS 'Address of the first instruction.';
COMMENT ON COLUMN blocks.end_ip IS 'Address of the last instruction (the branch that ends the block, or the instruction before an event).';
COMMENT ON COLUMN blocks.insns IS 'Instructions in the block.';
COMMENT ON COLUMN blocks.module IS 'Module holding start_ip.';
COMMENT ON COLUMN blocks.function IS 'Function holding start_ip (symbol name, no offset).';
COMMENT ON COLUMN blocks.function_offset IS 'start_ip minus the function''s start.';

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
COMMENT ON TABLE flow_events IS 'Trace events between instructions, as libipt ptxed prints them in brackets: enabled, disabled, resumed, interrupt, overflow, paging, vmcs, exec-mode, tsx, stop, exstop, mwait, pwre, pwrx, ptwrite, cbr, tick.';
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
