package iptq.ingest;

import iptq.flow.BranchKind;
import iptq.image.CodeImage;
import iptq.x86.Mode;
import iptq.flow.FlowEventKind;
import iptq.flow.FlowSink;
import iptq.table.TableWriter;

/**
 * The flow decoder's output, row by row, into one worker's tables: adds the segment, process,
 * thread, time in ns, and the module and function of every address.
 */
final class FlowTables implements FlowSink {
  private final Tables t;
  private final long segment;
  private final long tid;
  private final Namer namer;
  private final TimeBase time;
  private final PidResolver pids;
  private final InstructionText text;
  private final CodeImage image;
  private final byte[] insnBytes = new byte[16];
  private Mode mode = Mode.BITS64;
  private long asid = CodeImage.ANY_ASID;
  private long pid;
  private long origin;
  private final long segmentTs;
  private long branches;
  private int errors;
  private int noCodeErrors;
  private final SegmentNeeds needs;

  /** Maps a CR3 from a PIP packet to a process id; {@link TableWriter#NULL} when unknown. */
  interface PidResolver {
    long pidOf(long cr3);
  }

  /** Disassembly for the instructions table; null when not asked for. */
  interface InstructionText {
    String text(long address, byte[] code, int off, int len, Mode mode);
  }

  FlowTables(Tables t, SegmentInput in, long origin, CodeImage image, Namer namer,
      PidResolver pids, InstructionText text, SegmentNeeds needs) {
    this.needs = needs;
    this.image = image;
    this.t = t;
    this.segment = in.segmentId();
    this.pid = in.pid();
    this.tid = in.tid();
    this.namer = namer;
    this.time = in.time();
    this.origin = origin;
    this.segmentTs = in.ts();
    this.pids = pids;
    this.text = text;
  }

  long branches() {
    return branches;
  }

  int errors() {
    return errors;
  }

  /** The no-code errors among them: code ran where none was given. */
  int noCodeErrors() {
    return noCodeErrors;
  }

  /** ns since trace start; without timing packets, the segment's own time (its event's). */
  private long ns(long tsc) {
    if (tsc == NO_TS) return segmentTs;
    if (origin == TableWriter.NULL) origin = tsc;
    long ns = time.toNs(tsc, origin);
    return ns == TableWriter.NULL ? segmentTs : ns;
  }

  @Override
  public void block(long seq, long startIp, long endIp, int insns, long ts) {
    Namer.Name n = namer.name(startIp);
    int place = namer.place(startIp);
    long at = ns(ts);
    // Only when the module changes: a module without names (or with exports only) is noted once per visit.
    if (needs != null && n.module() != lastModule) {
      lastModule = n.module();
      needs.ran(startIp);
    }
    t.blocks.add(segment, seq, at, pid, tid, place, endIp - startIp, insns);
    visit(seq, at, place, insns, n);
  }

  private String lastModule;

  // The visit to a function in progress: consecutive blocks in the same function and module.
  // Collected here as blocks stream by, rather than by an ordered pass over all blocks later.
  private long runs;
  private long runFirstSeq, runLastSeq, runPid, runStartNs, runEndNs, runInsns, runBlocks;
  private int runStartPlace;
  private String runFunction, runModule;

  private void visit(long seq, long at, int place, int insns, Namer.Name n) {
    if (runBlocks > 0 && java.util.Objects.equals(n.function(), runFunction)
        && java.util.Objects.equals(n.module(), runModule)) {
      runLastSeq = seq;
      runEndNs = at;
      runInsns += insns;
      runBlocks++;
      return;
    }
    endVisit();
    runFirstSeq = runLastSeq = seq;
    runPid = pid;
    runStartPlace = place;
    runStartNs = runEndNs = at;
    runInsns = insns;
    runBlocks = 1;
    runFunction = n.function();
    runModule = n.module();
  }

  private void endVisit() {
    if (runBlocks == 0) return;
    t.functionRuns.add(segment, ++runs, runFirstSeq, runLastSeq, runPid, tid, runStartPlace,
        runStartNs, runEndNs, runInsns, runBlocks);
    runBlocks = 0;
  }

  /** After the decoder: writes the last visit. */
  void finish() {
    endVisit();
  }

  @Override
  public void branch(long seq, long fromIp, long toIp, BranchKind kind, boolean taken, long ts) {
    int from = namer.place(fromIp);
    int to = toIp != NO_IP ? namer.place(toIp) : iptq.table.BranchesTable.NO_PLACE;
    t.branches.add(segment, seq, ns(ts), pid, tid, from, to, kind.ordinal(), taken);
    branches++;
  }

  @Override
  public void event(long seq, FlowEventKind kind, long ip, long payload, long ts) {
    // Tracing stopped (or packets were lost): the blocks on either side did not run one after
    // the other, so a visit ends here even if the next block is in the same function.
    if (kind == FlowEventKind.DISABLED || kind == FlowEventKind.OVERFLOW) endVisit();
    if (kind == FlowEventKind.PAGING) {
      asid = payload & ~0x1FL;
      long p = pids.pidOf(asid);
      if (p != TableWriter.NULL) pid = p;
    }
    if (kind == FlowEventKind.EXEC_MODE) {
      mode = payload == 16 ? Mode.BITS16 : payload == 32 ? Mode.BITS32 : Mode.BITS64;
    }
    boolean hasPayload = switch (kind) {
      case ENABLED, RESUMED, OVERFLOW, STOP -> false;
      case DISABLED, INTERRUPT -> payload != NO_IP;
      default -> true;
    };
    t.flowEvents.add(segment, seq, ns(ts), kind.label(), ip, ip != NO_IP, payload, hasPayload,
        ip != NO_IP ? namer.label(ip) : null);
  }

  @Override
  public void error(long offset, long ip, String kind, String message, long skippedBytes) {
    if ("no-code".equals(kind)) {
      noCodeErrors++;
      if (needs != null && ip != NO_IP) needs.noCode(ip);
    }
    t.errors.add(segment, offset, ip, ip != NO_IP, kind, namer.nameAddresses(message), skippedBytes,
        ip != NO_IP ? namer.label(ip) : null);
    errors++;
  }

  @Override
  public void instruction(long seq, long ip, int size) {
    int n = image.read(asid, ip, insnBytes, 0, size);
    String s = n == size ? text.text(ip, insnBytes, 0, n, mode) : null;
    t.instructions.add(segment, seq, ip, size, s);
  }

  @Override
  public boolean wantsInstructions() {
    return text != null;
  }
}
