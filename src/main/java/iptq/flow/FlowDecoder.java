package iptq.flow;

import iptq.image.CodeImage;
import iptq.pt.Errata;
import iptq.pt.PacketDecoder;
import iptq.x86.Mode;

/**
 * The instruction-flow (block) decoder: walks the code through a {@link CodeImage} with the
 * items of a {@link QueryDecoder} — TNT bits for conditional branches and compressed returns,
 * TIP targets for indirect branches, uncompressed returns and far transfers, events where the
 * trace has them — and reports blocks, branches, events and errors to a {@link FlowSink}.
 *
 * <p>The rules and their order follow libipt's instruction decoder, against which the tests
 * check it instruction by instruction: asynchronous events (FUP) take effect when the walk
 * reaches their IP; a TIP.PGD without FUP ends tracing at the next branch that leaves the
 * traced code; MODE.Exec and PIP apply at the next far transfer (or at once while disabled);
 * a PSB+ inside the trace is checked against the decoder's state where its FUP's IP is reached.
 * Where the trace and the code disagree the decoder reports an error and resynchronises at the
 * next PSB. Blocks are decoded once and cached; nothing is allocated per instruction.
 */
public final class FlowDecoder {
  private static final long NO_IP = FlowSink.NO_IP;
  /** Instructions walked without consuming trace before the walk is declared lost. */
  private static final long MAX_WITHOUT_TRACE = 1L << 24;
  /**
   * Instructions walked without consuming trace after which the walk checks, block by block, for
   * coming back to a block it already walked. Without trace the walk is a function of the block
   * alone (direct jumps and calls, fall-through; anything else needs a trace item), so a block
   * met twice in one such stretch is an endless loop: it is reported at once instead of after
   * {@link #MAX_WITHOUT_TRACE} instructions. Below this the fast path never checks.
   */
  static final long LOOP_CHECK = 4096;

  private final QueryDecoder q;
  private final FlowSink sink;
  private final BlockCache cache;
  private final boolean perInsn;

  private boolean enabled;
  private long ip;
  private Mode mode = Mode.BITS64;
  private long asid = CodeImage.ANY_ASID;
  private final long[] stack = new long[64];
  private int stackTop, stackSize;
  private long lastDisableIp;
  private int heldMode;
  private long heldPaging = -1;
  private long heldVmcs = -1;
  private long seq;
  private long insns;
  private long walkedSinceTrace;
  // Brent's cycle detection over the blocks of a stretch without trace (see LOOP_CHECK): the
  // anchor block, and how many blocks were walked since it was set; the anchor moves on at
  // every power of two, so a loop after any lead-in is found within twice its length.
  private long loopStart, loopTag, loopOffset;
  private int loopSteps, loopPower;
  private boolean failed;
  private Block pending;
  private Block prev;
  private final Block[] stackBlocks = new Block[64];
  private int gen;
  private boolean statusUpdate;
  private boolean syncing;
  // Instructions walked when the decoder last synchronised at a PSB+: an error of the trace
  // before the first instruction after it is reported without an IP, as ptxed reports it.
  private long syncInsns;
  // Event trace's IRET (VMENTRY, UIRET, SYSCALL) without IP waits for the instruction that takes
  // the next TIP; libipt holds it and looks at no event behind it until then.
  private FlowEventKind heldTip;
  private long heldTipPayload;
  // A TRIG with ICNT: the instruction count (of `insns`) before which it is reported, or -1.
  private long trigAt = -1;
  // EFLAGS.IF as MODE.Exec gives it (-1 unknown), the one a held MODE.Exec brings, and whether
  // its changes are reported (ptxed's --event:iflags; libipt's enable_iflags_events).
  private int curIf = -1, heldIf = -1;
  private boolean iflags;
  // The processor's errata libipt 2.2 works around (--cpu) and the filter configuration
  // (--filter:*) one of them needs; see workarounds().
  private Errata errata = Errata.NONE;
  private AddressFilter filter = AddressFilter.NONE;

  public FlowDecoder(QueryDecoder q, CodeImage image, FlowSink sink) {
    this.q = q;
    this.sink = sink;
    this.cache = new BlockCache(image);
    this.perInsn = sink.wantsInstructions();
  }

  public FlowDecoder(PacketDecoder packets, CodeImage image, FlowSink sink) {
    this(new QueryDecoder(packets), image, sink);
  }

  /**
   * Decodes as libipt 2.2 does for a processor with {@code errata} and a trace recorded with IP
   * filter {@code filter}: SKD022 (a FUP before the TIP.PGD of a VM entry: the VMLAUNCH or
   * VMRESUME at the FUP runs and disables tracing, a synchronous disable) and SKL014 (a TIP.PGD
   * without IP binds to a direct jump or call whose target the filter leaves out), BDM64 (a TSX
   * abort right after a branch whose target cannot reach the abort's IP), and in the
   * query decoder SKD010 and APL11 (the packets after an OVF, {@link QueryDecoder#errata}). Before
   * {@link #decode()}.
   */
  public FlowDecoder workarounds(Errata errata, AddressFilter filter) {
    this.errata = errata;
    this.filter = filter;
    q.errata(errata);
    return this;
  }

  private boolean ticks;
  private long lastEventTsc = FlowSink.NO_TS;

  /** Reports libipt's tick events (ptxed's --event:tick): at a branch whose TNT or TIP packet's time is new. */
  public FlowDecoder reportTicks(boolean on) {
    ticks = on;
    return this;
  }

  /** The timing configuration libipt's time estimate needs (events carry that estimate). */
  public FlowDecoder timing(iptq.pt.PtdumpClock.Config config, boolean keepTcalOnOvf) {
    q.timing(config, keepTcalOnOvf);
    return this;
  }

  /** The execution mode now; valid inside sink callbacks (for disassembling an instruction). */
  public Mode mode() {
    return mode;
  }

  /** The address space now (CR3 from PIP, or CodeImage.ANY_ASID); valid inside sink callbacks. */
  public long asid() {
    return asid;
  }

  /**
   * Whether the event being reported is the status a PSB+ gives (libipt's status update, which
   * ptxed does not print); valid inside {@link FlowSink#event}.
   */
  public boolean statusUpdate() {
    return statusUpdate;
  }

  /**
   * Whether the decoder is looking for a PSB+ to start at (an error reported now is ptxed's
   * "sync error"); valid inside {@link FlowSink#error}.
   */
  public boolean syncing() {
    return syncing;
  }

  /**
   * Reports changes of EFLAGS.IF (MODE.Exec's IF bit) as IFLAGS events where the MODE.Exec
   * applies, as libipt does with {@code enable_iflags_events} (ptxed {@code --event:iflags}).
   */
  public FlowDecoder reportIflags(boolean on) {
    iflags = on;
    return this;
  }

  /** The position in the trace: the offset of the next packet the decoder has not used. */
  public long traceOffset() {
    return q.offset();
  }

  /** Blocks in the block cache. */
  public int cachedBlocks() {
    return cache.size();
  }

  /** Instructions walked so far. */
  public long instructions() {
    return insns;
  }

  /** Decodes the whole trace. */
  public void decode() {
    for (;;) {
      syncing = true;
      QueryDecoder.Item it = q.peek();
      if (it == QueryDecoder.Item.END) return;
      if (it == QueryDecoder.Item.ERROR) {
        fail(q.errOffset, q.errKind, q.errMessage);
        continue;
      }
      syncing = false;
      if (it != QueryDecoder.Item.PSB) {
        // Only reachable after an error left us mid-stream: drop to the next PSB.
        fail(q.offset(), FlowError.BAD_SEQUENCE, "trace item " + it + " before synchronisation");
        continue;
      }
      startAtPsb();
      walk();
    }
  }

  private void startAtPsb() {
    failed = false;
    enabled = false;
    stackSize = 0;
    heldMode = 0;
    heldPaging = -1;
    heldVmcs = -1;
    lastDisableIp = 0;
    walkedSinceTrace = 0;
    syncInsns = insns;
    heldTip = null;
    trigAt = -1;
    setAsid(CodeImage.ANY_ASID);
    if (q.psbModeBits != 0) setMode(modeOf(q.psbModeBits));
    if (q.psbPaging >= 0) setAsid(q.psbPaging & ~1L);
    if (q.psbIf >= 0) curIf = q.psbIf;
    heldIf = -1;
    if (q.psbIp != NO_IP) {
      ip = q.psbIp;
      enabled = true;
    }
    boolean overflow = q.psbOverflow;
    q.take();
    psbEvents();
    if (overflow) event(FlowEventKind.OVERFLOW, ip, 0);
  }

  /**
   * The status a PSB+ gives, reported as libipt does: in packet order, paging, VMCS and the
   * execution mode where the PSB+'s FUP binds (or at once when tracing is off), CBR and MNT with
   * them unless {@link #psbAtOnce()} reported them already. A PSB+ without MODE.Exec (tracing
   * was off) reports no mode.
   */
  private void psbEvents() {
    statusUpdate = true;
    for (int i = q.psbStatusDone; i < q.psbStatusCount; i++) {
      FlowEventKind k = q.psbStatus[i];
      event(k, NO_IP, k == FlowEventKind.EXEC_MODE ? mode.bits() : q.psbStatusPayload[i]);
    }
    statusUpdate = false;
    q.psbStatusDone = q.psbStatusCount;
  }

  /**
   * The CBR and MNT packets a PSB+ starts its status with: libipt reports them as soon as it reads
   * the PSB+, but those after a PIP, VMCS or MODE.Exec wait with that for the FUP's IP.
   */
  private void psbAtOnce() {
    statusUpdate = true;
    for (int i = q.psbStatusDone; i < q.psbStatusCount; i = ++q.psbStatusDone) {
      FlowEventKind k = q.psbStatus[i];
      if (k != FlowEventKind.CBR && k != FlowEventKind.MNT) break;
      event(k, NO_IP, q.psbStatusPayload[i]);
    }
    statusUpdate = false;
  }

  /** Walks until the trace ends or an error (reported, with a resync) interrupts it. */
  private void walk() {
    for (;;) {
      if (enabled && !walkFast()) return;
      QueryDecoder.Item it = q.peek();
      long bindIp = NO_IP;
      boolean syncDisable = false;
      if (it == QueryDecoder.Item.TNT || it == QueryDecoder.Item.TIP) {
        // The common case: the trace has what a branch needs and nothing waits for an IP.
        if (!enabled) {
          fail(q.offset(), FlowError.BAD_SEQUENCE, (it == QueryDecoder.Item.TNT ? "TNT" : "TIP") + " while tracing is disabled");
          return;
        }
      } else {
        switch (it) {
          case END:
            // The packets ran out: the walk stops after the last instruction the trace proves ran,
            // as libipt does (it signals the end once the TNT bits are used up, and ptxed stops
            // there); it does not walk on through the straight-line code that follows.
            if (enabled) sink.endOfTrace(seq, ip, q.tsc);
            return;
          case ERROR:
            if (enabled && q.errAtEnd()) {
              // The trace ends inside a packet: libipt sees the end of the trace there.
              sink.endOfTrace(seq, ip, q.tsc);
              fail(q.errOffset, q.errKind, q.errMessage);
              return;
            }
            // A broken packet ahead: walk on until the trace is needed, as libipt does.
            if (!enabled || q.errInSequence) {
              // libipt reads the event after a PSB+ as it syncs: no instruction has an IP yet.
              // Later it names the IP it is at, with tracing on or off.
              failAt(q.errOffset, q.errKind, q.errMessage, insns == syncInsns ? NO_IP : ip);
              return;
            }
            break;
          case PSB:
            if (enabled && heldTip != null) break; // libipt does not read on until the TIP
            psbAtOnce();
            if (q.psbOverflow) {
              // Packets were lost inside the PSB+: resume at its FUP after an overflow (libipt).
              applyPsbStatus();
              psbEvents();
              ip = q.psbIp;
              enabled = true;
              walkedSinceTrace = 0;
              q.take();
              event(FlowEventKind.OVERFLOW, ip, 0);
              continue;
            }
            if (!enabled) {
              applyPsbStatus();
              psbEvents();
              if (q.psbIp != NO_IP) {
                ip = q.psbIp;
                enabled = true;
              }
              q.take();
              continue;
            }
            if (q.psbIp == NO_IP) {
              // Tracing went off without a TIP.PGD we could see.
              enabled = false;
              applyPsbStatus();
              q.take();
              psbEvents();
              continue;
            }
            bindIp = q.psbIp;
            break;
          default: // EVENT
            if (enabled && heldTip != null) break; // nothing is looked at until the TIP (libipt)
            if (enabled && holding() && q.evKind != FlowEventKind.EXEC_MODE) {
              // libipt reports events one at a time: all after a standalone PIP or VMCS, even those
              // with a FUP, wait until it binds (see bindHeld()). MODE.Exec binds to the far
              // transfer's TIP itself.
              break;
            }
            if (q.evKind == FlowEventKind.PTWRITE && enabled) {
              // libipt reports a PTWRITE after its instruction: the one at the FUP's IP, else the
              // next PTWRITE instruction (see branch()).
              if (q.evBound) bindIp = q.evIp;
              break;
            }
            if (q.evKind == FlowEventKind.TRIG && q.evCount >= 0 && enabled) {
              // Attributed to the instruction ICNT after where the walk is when it meets it.
              if (trigAt < 0) trigAt = insns + q.evCount;
              if (insns == trigAt) {
                trigAt = -1;
                reportEvent(ip);
                q.take();
                continue;
              }
              break;
            }
            if (!q.evBound) {
              if (immediate()) {
                if (failed) return;
                continue;
              }
              syncDisable = true;
              if (enabled && q.evTarget != NO_IP && q.evTarget == ip) {
                disableHere();
                continue;
              }
            } else if (!enabled) {
              boundWhileDisabled();
              continue;
            } else {
              bindIp = q.evIp;
              if (errata.bdm64() && afterBranch && q.evKind == FlowEventKind.TSX && q.evPayload == 2
                  && !reachableWithoutTrace(ip, bindIp)) {
                // BDM64: the packet of the branch right before an abort may be wrong; where the
                // abort's IP cannot be reached from where it led, libipt 2.2 takes the branch to
                // have gone there.
                ip = bindIp;
                prev = null;
              }
            }
        }
        if (ip == bindIp) {
          if (!bound()) return;
          continue;
        }
      }
      Block b = nextBlock();
      if (syncDisable && q.evTarget != NO_IP && b.ninsn > 0 && q.evTarget > b.start && q.evTarget <= b.lastIp()) {
        int k = b.indexOf(q.evTarget);
        if (k > 0) {
          emitBlock(b, k);
          ip = q.evTarget;
          disableHere();
          continue;
        }
      }
      if (trigAt >= 0 && b.ninsn > 0 && trigAt - insns < b.ninsn) {
        int k = (int) (trigAt - insns);
        emitBlock(b, k);
        ip = b.ip(k);
        trigAt = -1;
        reportEvent(ip);
        q.take();
        continue;
      }
      if (bindIp != NO_IP && b.ninsn > 0 && bindIp > b.start && bindIp <= b.lastIp()) {
        int k = b.indexOf(bindIp);
        if (k > 0) {
          emitBlock(b, k);
          ip = bindIp;
          if (!bound()) return;
          continue;
        }
      }
      byte kind = b.kind;
      if (kind >= Block.K_LIMIT) {
        if (b.ninsn == 0) {
          codeError(b);
          return;
        }
        emitBlock(b, b.ninsn);
        if (lost(b)) return;
        ip = b.end();
        if (kind == Block.K_LIMIT) continue;
        codeError(cache.get(asid, mode, ip));
        return;
      }
      if (lost(b)) return;
      pending = b;
      boolean ok = branch(b, kind, it, syncDisable);
      if (pending != null) {
        // On failure the branch itself is not reported as executed (libipt does the same).
        int n = ok ? b.ninsn : b.ninsn - 1;
        pending = null;
        if (n > 0) emitBlock(b, n);
      }
      if (!ok) return;
    }
  }

  /** Counts the block's instructions as walked without trace; true (after failing) when too many. */
  private boolean lost(Block b) {
    if (walkedSinceTrace <= LOOP_CHECK || q.offset() != loopOffset) {
      // A new stretch (trace was consumed since the last check): this block is the first anchor.
      loopStart = b.start;
      loopTag = b.tag;
      loopOffset = q.offset();
      loopSteps = 0;
      loopPower = 1;
    } else if (b.start == loopStart && b.tag == loopTag) {
      fail(q.offset(), FlowError.NO_PROGRESS, "an endless loop: the walk came back to 0x" + Long.toHexString(b.start)
          + " after " + walkedSinceTrace + " instructions without consuming trace");
      return true;
    } else if (++loopSteps == loopPower) {
      loopStart = b.start;
      loopTag = b.tag;
      loopSteps = 0;
      loopPower <<= 1;
    }
    if ((walkedSinceTrace += b.ninsn) <= MAX_WITHOUT_TRACE) return false;
    fail(q.offset(), FlowError.NO_PROGRESS, "walked " + walkedSinceTrace + " instructions without trace: looping on direct branches");
    return true;
  }

  /**
   * The block at {@link #ip}: through the previous block's successor links when the walk went on
   * by fall-through, direct target or the same indirect target as last time, else from the
   * cache. Links hold within one address space and mode: {@link #prev} is dropped when either
   * changes. When the cache starts over, blocks of the new generation link only to each other
   * and the call stack forgets its blocks, so the old ones become garbage.
   */
  private Block nextBlock() {
    Block b = findNext();
    prev = b;
    return b;
  }

  /** The block at {@link #ip}, as {@link #nextBlock()} finds it, without moving on to it. */
  private Block findNext() {
    Block p = prev;
    Block b;
    if (p != null) {
      if (ip == p.end()) {
        b = p.next;
        if (b == null && linkable(p, b = lookup())) p.next = b;
      } else if (ip == p.target && p.isDirect()) {
        b = p.taken;
        if (b == null && linkable(p, b = lookup())) p.taken = b;
      } else {
        b = p.memo;
        if ((b == null || b.start != ip) && linkable(p, b = lookup())) p.memo = b;
      }
    } else {
      b = lookup();
    }
    return b;
  }

  /**
   * Whether {@code p} may lead to {@code b} by a link: not from a block shared by all address
   * spaces to one of a single address space (a SYSRET from kernel code to one process's code),
   * which would be followed in the next process too.
   */
  private static boolean linkable(Block p, Block b) {
    return b.tag == p.tag || BlockCache.shared(b.tag);
  }

  /**
   * The walk's fast path, for the stretch where the trace's next item is a TNT bit or a TIP:
   * then no event or PSB+ is waiting for an IP, and blocks that end in a branch go by their links
   * and the trace alone. Kept small so that the JIT compiles it as one loop; anything else (and
   * every error) is left to {@link #walk()}, which handles all cases. False when the walk must
   * stop.
   */
  private boolean walkFast() {
    if (heldTip != null) return true; // tip() reports it
    Block b = null;
    for (;;) {
      QueryDecoder.Item it = q.peek();
      if (it != QueryDecoder.Item.TNT && (it != QueryDecoder.Item.TIP || q.tipSuppressed)) return true;
      if (b == null) b = findNext();
      if (walkedSinceTrace + b.ninsn > LOOP_CHECK) return true;
      byte k = b.kind;
      long to;
      Block then; // the block at {@code to} where a link knows it, else null
      BranchKind kind;
      boolean taken = true;
      Block after = b;
      boolean used = true; // the branch used the trace item
      switch (k) {
        case Block.K_JCC:
          if (it != QueryDecoder.Item.TNT) return true;
          taken = q.takeTnt();
          if (taken) {
            to = b.target;
            then = b.taken;
          } else {
            to = b.end();
            then = b.next;
          }
          kind = BranchKind.JCC;
          break;
        case Block.K_JMP:
        case Block.K_CALL: {
          boolean call = k == Block.K_CALL;
          // A zero-length call (the get-IP idiom) is not pushed by the hardware's return compression.
          if (call && b.target != b.end()) push(b.end(), b);
          to = b.target;
          then = b.taken;
          kind = call ? BranchKind.CALL : BranchKind.JMP;
          used = false;
          break;
        }
        case Block.K_RET:
          if (it == QueryDecoder.Item.TNT) {
            if (!q.tntBit() || stackSize == 0) return true;
            q.takeTnt();
            to = pop();
            Block caller = stackBlocks[stackTop];
            // The call's block leads to the return address by its fall-through link.
            if (caller != null && caller.end() == to) {
              after = caller;
              then = caller.next;
            } else {
              then = null;
            }
            kind = BranchKind.RET_COMPRESSED;
          } else {
            to = q.tipIp;
            q.takeTip();
            then = b.memo;
            kind = BranchKind.RET;
          }
          break;
        case Block.K_JMP_IND:
        case Block.K_CALL_IND: {
          if (it != QueryDecoder.Item.TIP) return true;
          to = q.tipIp;
          q.takeTip();
          boolean call = k == Block.K_CALL_IND;
          if (call) push(b.end(), b);
          then = b.memo;
          kind = call ? BranchKind.CALL_INDIRECT : BranchKind.JMP_INDIRECT;
          break;
        }
        default:
          return true;
      }
      if (used) {
        walkedSinceTrace = 0;
        if (q.tntPending() == 0) {
          prev = b;
          pending = b;
          if (aheadBroken()) return false;
          pending = null;
        }
      } else {
        walkedSinceTrace += b.ninsn;
      }
      prev = after;
      emitBlock(b, b.ninsn);
      sink.branch(seq++, b.lastIp(), to, kind, taken, q.tsc);
      afterBranch = true;
      if (used && ticks && q.takenTsc != lastEventTsc) {
        // libipt's tick: a branch's query whose time differs from the last event's; at where a
        // conditional branch (or compressed return) went, at an indirect branch itself
        lastEventTsc = q.takenTsc;
        boolean tnt = kind == BranchKind.JCC || kind == BranchKind.RET_COMPRESSED;
        sink.event(seq++, FlowEventKind.TICK, tnt ? to : b.lastIp(), 0, q.takenTsc);
      }
      ip = to;
      b = then != null && then.start == to ? then : null;
    }
  }

  private Block lookup() {
    Block b = cache.get(asid, mode, ip);
    if (cache.gen != gen) {
      gen = cache.gen;
      java.util.Arrays.fill(stackBlocks, null);
    }
    return b;
  }

  private void setMode(Mode m) {
    if (m != mode) {
      mode = m;
      forgetLinks();
    }
  }

  private void setAsid(long a) {
    if (a != asid) {
      asid = a;
      forgetLinks();
    }
  }

  private void forgetLinks() {
    prev = null;
    java.util.Arrays.fill(stackBlocks, null);
  }

  /**
   * The last instruction of {@code b}, of the given {@link Block#kind}, with {@code it} the
   * trace item at hand; false when the walk must stop (error or end).
   */
  private boolean branch(Block b, byte kind, QueryDecoder.Item it, boolean syncDisable) {
    long from = b.lastIp();
    long next = b.end();
    switch (kind) {
      case Block.K_JCC: {
        // A TIP.PGD binds to the first instruction that needs trace, with or without its IP, as
        // libipt 2.2 binds it (2.0.5 bound one without IP only to far transfers and CR3 writes).
        if (syncDisable) return disable(from, q.evTarget, 0);
        if (it != QueryDecoder.Item.TNT) {
          return expected(FlowError.TNT_NEEDED, "conditional branch at 0x" + Long.toHexString(from) + " needs a TNT bit, trace has " + what(it));
        }
        boolean taken = q.takeTnt();
        walkedSinceTrace = 0;
        if (aheadBroken()) return false;
        ip = taken ? b.target : next;
        branchRow(from, ip, BranchKind.JCC, taken);
        return true;
      }
      case Block.K_JMP:
      case Block.K_CALL: {
        boolean call = kind == Block.K_CALL;
        if (syncDisable && q.evTarget != NO_IP && q.evTarget == b.target) {
          return disable(from, b.target, b.target);
        }
        if (syncDisable && q.evTarget == NO_IP && errata.skl014() && filter.configured() && !filter.traced(b.target)) {
          // SKL014: the TIP.PGD of a direct branch out of the filtered range may lack its IP
          // (libipt sets no resume IP for it).
          return disable(from, NO_IP, 0);
        }
        // A zero-length call (the get-IP idiom) is not pushed by the hardware's return compression.
        if (call && b.target != next) push(next, b);
        ip = b.target;
        branchRow(from, ip, call ? BranchKind.CALL : BranchKind.JMP, true);
        return true;
      }
      case Block.K_JMP_IND:
      case Block.K_CALL_IND: {
        boolean call = kind == Block.K_CALL_IND;
        if (syncDisable) return disable(from, q.evTarget, call ? next : 0);
        if (!tip(from)) return false;
        if (call) push(next, b);
        branchRow(from, ip, call ? BranchKind.CALL_INDIRECT : BranchKind.JMP_INDIRECT, true);
        return true;
      }
      case Block.K_RET: {
        if (syncDisable) return disable(from, q.evTarget, 0);
        if (it == QueryDecoder.Item.TNT) {
          boolean taken = q.takeTnt();
          walkedSinceTrace = 0;
          if (aheadBroken()) return false;
          if (!taken) return expected(FlowError.RET_NOT_TAKEN, "compressed return at 0x" + Long.toHexString(from) + " with a not-taken bit");
          if (stackSize == 0) return expected(FlowError.RET_EMPTY_STACK, "compressed return at 0x" + Long.toHexString(from) + " with an empty call stack");
          ip = pop();
          Block caller = stackBlocks[stackTop];
          branchRow(from, ip, BranchKind.RET_COMPRESSED, true);
          // The call's block leads to the return address by its fall-through link.
          if (caller != null && caller.end() == ip) prev = caller;
          return true;
        }
        if (!tip(from)) return false;
        branchRow(from, ip, BranchKind.RET, true);
        return true;
      }
      case Block.K_MOV_CR3:
        if (holding()) syncDisable = bindHeld(from, true, false);
        // libipt 2.2 counts tracing coming back at the CR3 write itself as a resume, not after it.
        if (syncDisable && q.evTarget == NO_IP) return disable(from, NO_IP, from);
        ip = next;
        return true;
      case Block.K_PTWRITE:
        if (!holding() && q.peek() == QueryDecoder.Item.EVENT && q.evKind == FlowEventKind.PTWRITE && !q.evBound) {
          event(FlowEventKind.PTWRITE, from, q.evPayload);
          q.take();
        }
        ip = next;
        return true;
      case Block.K_FAR: {
        if (holding()) syncDisable = bindHeld(from, true, true);
        if (syncDisable) return disable(from, q.evTarget, b.cls().libiptClass() == iptq.x86.LibiptClass.PTIC_FAR_CALL ? next : 0);
        if (!tip(from)) return false;
        branchRow(from, ip, BranchKind.FAR, true);
        if (heldMode != 0) applyHeldMode();
        return true;
      }
      default: // K_STEP: VMPTRLD
        if (holding() && b.cls() == iptq.x86.InsnClass.VMPTRLD) bindHeld(from, false, true);
        ip = next;
        return true;
    }
  }

  /** A standalone PIP or VMCS waits for the instruction it binds to (libipt holds one at a time). */
  private boolean holding() {
    return heldPaging >= 0 || heldVmcs >= 0;
  }

  /**
   * The instruction at {@code at} binds a held PIP ({@code pip}: a CR3 write or far transfer) or
   * VMCS ({@code vmcs}: VMPTRLD, VMLAUNCH/VMRESUME or a far transfer): libipt reports it after
   * that instruction and looks at the events that follow for the same instruction, binding at
   * most one paging and one VMCS event and a PTWRITE whose FUP names it; the first that does not
   * bind is held or left for the walk. Returns whether a TIP.PGD without FUP comes next.
   */
  private boolean bindHeld(long at, boolean pip, boolean vmcs) {
    boolean pagingDone = !pip, vmcsDone = !vmcs, ptwDone = false;
    for (;;) {
      if (heldPaging >= 0) {
        if (pagingDone) return false;
        applyHeldPaging();
        pagingDone = true;
      } else if (heldVmcs >= 0) {
        if (vmcsDone) return false;
        applyHeldVmcs();
        vmcsDone = true;
      }
      if (q.peek() != QueryDecoder.Item.EVENT) return false;
      switch (q.evKind) {
        case PAGING -> heldPaging = q.evPayload;
        case VMCS -> heldVmcs = q.evPayload;
        case EXEC_MODE -> { // for the far transfer's TIP, as in walk()
          heldMode = (int) q.evPayload;
          heldIf = q.evIf;
        }
        case PTWRITE -> {
          if (ptwDone || !q.evBound || q.evIp != at) return false;
          eventData(FlowEventKind.PTWRITE, at, q.evPayload, 1, 0); // its IP came with a FUP
          ptwDone = true;
        }
        default -> {
          return q.evKind == FlowEventKind.DISABLED && !q.evBound;
        }
      }
      q.take();
    }
  }

  /** Consumes the TIP an indirect transfer needs and goes there. */
  private boolean tip(long from) {
    QueryDecoder.Item it = q.peek();
    // A TIP may come after TNT bits of the branches that follow (a deferred TIP, libipt 2.2).
    if (it == QueryDecoder.Item.TNT && q.deferTip()) it = QueryDecoder.Item.TIP;
    if (it != QueryDecoder.Item.TIP) {
      return expected(FlowError.TIP_NEEDED, "branch at 0x" + Long.toHexString(from) + " needs a TIP, trace has " + what(it));
    }
    if (q.tipSuppressed) {
      q.takeTip();
      return expected(FlowError.BAD_SEQUENCE, "TIP with suppressed IP for the branch at 0x" + Long.toHexString(from));
    }
    ip = q.tipIp;
    q.takeTip();
    walkedSinceTrace = 0;
    if (heldTip != null) {
      // After the instruction that took the TIP (flushPending lists it first).
      FlowEventKind k = heldTip;
      heldTip = null;
      event(k, NO_IP, heldTipPayload);
    }
    return !aheadBroken();
  }

  /**
   * After using the last cached trace item: whether the event sequence that follows is broken.
   * libipt looks ahead there and fails the instruction that used the item; so do we.
   */
  private boolean aheadBroken() {
    if (q.tntPending() > 0 || q.peek() != QueryDecoder.Item.ERROR || !q.errInSequence) return false;
    fail(q.errOffset, q.errKind, q.errMessage);
    return true;
  }

  /** A TIP.PGD without FUP, bound to the branch at {@code from}. */
  private boolean disable(long from, long target, long disableIp) {
    branchRow(from, target, BranchKind.DISABLE, true);
    event(FlowEventKind.DISABLED, NO_IP, q.evTarget);
    enabled = false;
    lastDisableIp = disableIp;
    q.take();
    walkedSinceTrace = 0;
    return true;
  }

  /**
   * A TIP.PGD with an IP, not bound to a FUP, whose IP the walk has reached before any branch
   * took it there: libipt 2.2 ends tracing right here, before the instruction at that IP (so a
   * jump to itself, or back into its own block, does not run again).
   */
  private void disableHere() {
    event(FlowEventKind.DISABLED, NO_IP, q.evTarget);
    enabled = false;
    lastDisableIp = ip;
    walkedSinceTrace = 0;
    q.take();
  }

  /** Handles an event that takes effect now; false for a TIP.PGD that waits for its branch. */
  private boolean immediate() {
    FlowEventKind k = q.evKind;
    switch (k) {
      case ENABLED:
        if (enabled) {
          expected(FlowError.BAD_CONTEXT, "TIP.PGE while tracing is enabled");
          return true;
        }
        if (q.evIp == NO_IP) {
          q.take();
          return true;
        }
        ip = q.evIp;
        enabled = true;
        // The call stack survives a disable: libipt keeps it too, so a compressed return after
        // TIP.PGE pops a call made before the TIP.PGD.
        walkedSinceTrace = 0;
        event(ip == lastDisableIp ? FlowEventKind.RESUMED : FlowEventKind.ENABLED, ip, 0);
        q.take();
        if (heldPaging >= 0) applyHeldPaging();
        if (heldVmcs >= 0) applyHeldVmcs();
        if (heldMode != 0) applyHeldMode();
        return true;
      case DISABLED:
        if (enabled) return false;
        q.take(); // already off (e.g. after an overflow that resolved disabled)
        return true;
      case OVERFLOW:
        // The call stack is kept, as libipt keeps it.
        if (q.evModeBits != 0) setMode(modeOf(q.evModeBits));
        if (q.evPaging >= 0) setAsid(q.evPaging & ~1L);
        heldMode = 0;
        heldPaging = -1;
        heldVmcs = -1;
        walkedSinceTrace = 0;
        if (q.evIp != NO_IP) {
          ip = q.evIp;
          enabled = true;
        } else {
          enabled = false;
        }
        flushPending();
        lastEventTsc = q.evTsc;
        sink.event(seq++, FlowEventKind.OVERFLOW, q.evIp, 0, q.evTsc); // the time at the OVF packet
        afterBranch = false;
        q.take();
        return true;
      case PAGING:
        if (enabled) heldPaging = q.evPayload;
        else {
          setAsid(q.evPayload & ~1L);
          event(FlowEventKind.PAGING, NO_IP, q.evPayload);
        }
        q.take();
        return true;
      case VMCS:
        // Like a PIP, a VMCS packet waits for what it binds to while tracing is on (libipt).
        if (enabled) heldVmcs = q.evPayload;
        else event(FlowEventKind.VMCS, NO_IP, q.evPayload);
        q.take();
        return true;
      case EXEC_MODE:
        heldMode = (int) q.evPayload;
        heldIf = q.evIf;
        q.take();
        return true;
      default:
        if (q.evAtTip && enabled) {
          heldTip = k;
          heldTipPayload = q.evPayload;
          q.take();
          return true;
        }
        reportEvent(q.evIp);
        q.take();
        return true;
    }
  }

  /** An event bound to an IP, while tracing is off: nothing to walk to. */
  private void boundWhileDisabled() {
    FlowEventKind k = q.evKind;
    if (k == FlowEventKind.INTERRUPT || k == FlowEventKind.DISABLED) {
      if (q.evModeBits != 0) setMode(modeOf(q.evModeBits));
      if (q.evPaging >= 0) setAsid(q.evPaging & ~1L);
    } else {
      reportEvent(q.evIp);
    }
    q.take();
  }

  /** The walk reached the IP of the pending bound item (PSB+ FUP or FUP event). */
  private boolean bound() {
    walkedSinceTrace = 0;
    if (q.peek() == QueryDecoder.Item.PSB) {
      if (q.psbModeBits != 0 && q.psbModeBits != mode.bits()) {
        return expected(FlowError.PSB_MISMATCH, "PSB+ says " + q.psbModeBits + "-bit mode, decoder is in " + mode.bits() + "-bit mode");
      }
      applyPsbStatus();
      stackSize = 0;
      q.take();
      psbEvents();
      return true;
    }
    switch (q.evKind) {
      case INTERRUPT: {
        long from = ip;
        long to = q.evTarget;
        branchRow(from, to, BranchKind.ASYNC, true);
        event(FlowEventKind.INTERRUPT, from, to);
        // Where they take effect: the handler (0 when suppressed), as libipt's async events say.
        long at = to == NO_IP ? 0 : to;
        if (q.evVmcs >= 0) event(FlowEventKind.VMCS, at, q.evVmcs); // libipt puts it before the PIP
        if (q.evPaging >= 0) {
          setAsid(q.evPaging & ~1L);
          event(FlowEventKind.PAGING, at, q.evPaging);
        }
        if (q.evModeBits != 0) {
          setMode(modeOf(q.evModeBits));
          event(FlowEventKind.EXEC_MODE, to, q.evModeBits);
          ifChange(q.evIf, to);
        }
        q.take();
        if (to == NO_IP) {
          enabled = false;
          lastDisableIp = from;
        } else {
          ip = to;
        }
        return true;
      }
      case PTWRITE:
        return afterInstruction();
      case DISABLED: {
        long disabledAt = ip;
        if (errata.skd022() && vmEntryRuns()) disabledAt = NO_IP; // a synchronous disable at the VM entry
        branchRow(ip, q.evTarget, BranchKind.DISABLE, true);
        event(FlowEventKind.DISABLED, disabledAt, q.evTarget);
        enabled = false;
        lastDisableIp = disabledAt == NO_IP ? 0 : ip;
        // A VMCS and PIP that came with it (a VM exit out of traced code), at the TIP.PGD's IP
        // (0 when suppressed), reported after it as libipt does.
        long at = q.evTarget == NO_IP ? 0 : q.evTarget;
        if (q.evVmcs >= 0) event(FlowEventKind.VMCS, at, q.evVmcs);
        if (q.evPaging >= 0) event(FlowEventKind.PAGING, at, q.evPaging);
        if (q.evPaging >= 0) setAsid(q.evPaging & ~1L);
        if (q.evModeBits != 0) {
          heldMode = q.evModeBits;
          heldIf = q.evIf;
        }
        q.take();
        return true;
      }
      default:
        if (q.evAfter) return afterInstruction(); // event trace's IRET, VMENTRY, ... with IP
        reportEvent(q.evIp);
        q.take();
        return true;
    }
  }

  /**
   * SKD022's workaround: when the instruction at the FUP of a FUP + TIP.PGD is VMLAUNCH or
   * VMRESUME, the FUP may be the erratum's; libipt 2.2 then lets the instruction run (it is
   * reported) and binds the disable to it. True when it did so.
   */
  private boolean vmEntryRuns() {
    Block b = findNext();
    if (b.ninsn != 1 || b.kind != Block.K_FAR) return false;
    iptq.x86.InsnClass c = b.cls();
    if (c != iptq.x86.InsnClass.VMLAUNCH && c != iptq.x86.InsnClass.VMRESUME) return false;
    prev = b;
    emitBlock(b, 1);
    return true;
  }

  /**
   * A PTWRITE event bound to the IP reached: libipt reports it after the instruction there (the
   * PTWRITE instruction, whose IP the FUP gives), so that instruction runs first.
   */
  private boolean afterInstruction() {
    Block b = nextBlock();
    if (b.ninsn == 0) {
      codeError(b);
      return false;
    }
    if (b.ninsn > 1 || b.kind >= Block.K_LIMIT || b.kind == Block.K_PTWRITE) {
      emitBlock(b, 1);
      reportEvent(q.evIp);
      q.take();
      ip = b.ninsn > 1 ? b.ip(1) : b.end();
      return true;
    }
    pending = b; // a branch: reported with the event, then resolved as usual
    reportEvent(q.evIp);
    q.take();
    return branch(b, b.kind, q.peek(), false);
  }

  /** Reports the query decoder's current event at {@code at}, with its data. */
  private void reportEvent(long at) {
    flushPending();
    lastEventTsc = q.tsc;
    sink.eventData(seq++, q.evKind, at, q.evPayload, q.evData1, q.evData2, q.tsc);
  }

  private void applyPsbStatus() {
    if (q.psbIf >= 0) curIf = q.psbIf;
    if (q.psbModeBits != 0) setMode(modeOf(q.psbModeBits));
    if (q.psbPaging >= 0) setAsid(q.psbPaging & ~1L);
  }

  private void applyHeldPaging() {
    setAsid(heldPaging & ~1L);
    event(FlowEventKind.PAGING, NO_IP, heldPaging);
    heldPaging = -1;
  }

  private void applyHeldVmcs() {
    event(FlowEventKind.VMCS, NO_IP, heldVmcs);
    heldVmcs = -1;
  }

  private void applyHeldMode() {
    setMode(modeOf(heldMode));
    long at = enabled ? ip : NO_IP;
    event(FlowEventKind.EXEC_MODE, at, heldMode);
    heldMode = 0;
    ifChange(heldIf, at);
    heldIf = -1;
  }

  /** A MODE.Exec's IF bit {@code v} (or -1) takes effect at {@code at}: an IFLAGS event where it changes. */
  private void ifChange(int v, long at) {
    if (v < 0) return;
    if (iflags && curIf >= 0 && v != curIf) event(FlowEventKind.IFLAGS, at, v);
    curIf = v;
  }

  private static Mode modeOf(int bits) {
    return bits == 64 ? Mode.BITS64 : bits == 32 ? Mode.BITS32 : Mode.BITS16;
  }

  private void codeError(Block b) {
    long at = b.ninsn == 0 ? b.start : b.end();
    if (b.kind == Block.K_NO_CODE || b.ninsn == 0 && b.kind != Block.K_BAD_INSN) {
      expected(FlowError.NO_CODE, "no code at 0x" + Long.toHexString(at));
    } else {
      expected(FlowError.BAD_INSN, "instruction at 0x" + Long.toHexString(at) + " does not decode (" + cache.whyBad(b) + ")");
    }
  }

  /** A consistency error: reported at the current trace position, then resync. Returns false. */
  private boolean expected(String kind, String message) {
    if ((kind.equals(FlowError.TNT_NEEDED) || kind.equals(FlowError.TIP_NEEDED)) && q.peek() == QueryDecoder.Item.PSB) {
      // The PSB+ says where the flow is; the walk met a branch needing trace before getting there.
      kind = FlowError.PSB_MISMATCH;
      message = "PSB+ at offset 0x" + Long.toHexString(q.psbOffset) + " puts the flow at 0x"
          + Long.toHexString(q.psbIp) + ", but the walk reached " + message;
    }
    // A broken packet ahead is the error where the walk needed the trace: the trace is broken
    // there, not inconsistent. Code that is missing or does not decode the walk met before
    // needing the packet, and libipt, which reads the trace only when it needs it, reports it.
    boolean codeError = FlowError.NO_CODE.equals(kind) || FlowError.BAD_INSN.equals(kind);
    if (q.peek() == QueryDecoder.Item.ERROR && !codeError) {
      fail(q.errOffset, q.errKind, q.errMessage);
      return false;
    }
    if (q.peek() == QueryDecoder.Item.END && (FlowError.TNT_NEEDED.equals(kind) || FlowError.TIP_NEEDED.equals(kind))) {
      Block b = pending; // the trace simply ended where the walk needed more
      pending = null;
      if (b != null && b.ninsn > 1) emitBlock(b, b.ninsn - 1);
      return false;
    }
    fail(q.offset(), kind, message);
    return false;
  }

  private void fail(long offset, String kind, String message) {
    // An error libipt finds after an OVF reset its decoder has no IP.
    failAt(offset, kind, message, enabled && !(q.peek() == QueryDecoder.Item.ERROR && q.errAfterReset) ? ip : NO_IP);
  }

  private void failAt(long offset, String kind, String message, long at) {
    if (pending != null) {
      Block b = pending;
      pending = null;
      if (b.ninsn > 1) emitBlock(b, b.ninsn - 1);
    }
    long skipped = q.resync();
    sink.error(offset, at, kind, message, skipped);
    enabled = false;
    failed = true;
  }

  private static String what(QueryDecoder.Item it) {
    return switch (it) {
      case TNT -> "a TNT bit";
      case TIP -> "a TIP";
      case EVENT -> "an event";
      case PSB -> "a PSB";
      case END -> "its end";
      case ERROR -> "an error";
    };
  }

  /**
   * Whether the walk from {@code from} reaches {@code to} without trace (straight-line code,
   * direct jumps and calls) within 256 instructions, as libipt's BDM64 workaround checks.
   */
  private boolean reachableWithoutTrace(long from, long to) {
    long saved = ip;
    try {
      int steps = 0x100;
      ip = from;
      for (;;) {
        Block b = lookup();
        int k = b.ninsn > 0 ? b.indexOf(to) : -1;
        if (k >= 0) return k <= steps;
        steps -= b.ninsn;
        if (b.ninsn == 0 || steps < 0) return false;
        switch (b.kind) {
          case Block.K_JMP, Block.K_CALL -> ip = b.target;
          case Block.K_LIMIT, Block.K_STEP, Block.K_PTWRITE, Block.K_MOV_CR3 -> ip = b.end();
          default -> {
            return false; // a branch that needs trace, or code that does not decode
          }
        }
      }
    } finally {
      ip = saved;
    }
  }

  /** The walk's last step was a branch (BDM64 applies only to an abort right after one). */
  private boolean afterBranch;

  private void emitBlock(Block b, int n) {
    afterBranch = false;
    long s = seq++;
    long endIp = n == b.ninsn ? b.lastIp() : b.ip(n - 1);
    sink.block(s, b.start, endIp, n, q.tsc);
    if (perInsn) {
      for (int i = 0; i < n; i++) sink.instruction(s, b.ip(i), b.size(i));
    }
    insns += n;
  }

  /** Emits the block whose last instruction is being resolved, once it is known to have run. */
  private void flushPending() {
    Block b = pending;
    if (b != null) {
      pending = null;
      emitBlock(b, b.ninsn);
    }
  }

  private void branchRow(long from, long to, BranchKind kind, boolean taken) {
    flushPending();
    sink.branch(seq++, from, to, kind, taken, q.tsc);
    afterBranch = true;
  }

  private void event(FlowEventKind kind, long at, long payload) {
    flushPending();
    lastEventTsc = q.tsc;
    sink.event(seq++, kind, at, payload, q.tsc);
    afterBranch = false;
  }

  private void eventData(FlowEventKind kind, long at, long payload, long data1, long data2) {
    flushPending();
    sink.eventData(seq++, kind, at, payload, data1, data2, q.tsc);
  }

  private void push(long ret, Block caller) {
    stack[stackTop] = ret;
    stackBlocks[stackTop] = caller;
    stackTop = (stackTop + 1) & 63;
    if (stackSize < 64) stackSize++;
  }

  private long pop() {
    stackTop = (stackTop - 1) & 63;
    stackSize--;
    return stack[stackTop];
  }
}
