package iptq.flow;

import iptq.pt.DecodeError;
import iptq.pt.Packet;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketKind;

/**
 * The query layer between packets and code walking, after libipt's query decoder: it turns
 * the packet stream into the items an instruction walker asks for, in trace order — the next
 * TNT bit, the next TIP target, or the next event (with the packets that belong to it already
 * gathered: a FUP with the PIP/MODE.Exec and TIP or TIP.PGD that complete it, an OVF with the
 * FUP or TIP.PGE where tracing resumes, a PSB+ status block). It knows nothing of code.
 *
 * <p>Use: {@link #peek()} says what comes next; {@link #takeTnt()}, {@link #takeTip()} or
 * {@link #take()} consume it. The fields of the current item are public and valid until it is
 * taken. After {@link Item#ERROR}, or when the walker finds the trace inconsistent with the code,
 * {@link #resync()} moves to the next PSB. Nothing is allocated per packet.
 */
public final class QueryDecoder {
  /** What the next item is. */
  public enum Item {
    /** A TNT bit: {@link #tntBit()}. */
    TNT,
    /** A TIP: {@link #tipIp}, {@link #tipSuppressed}. */
    TIP,
    /** An event: {@link #evKind} and the ev* fields. */
    EVENT,
    /** A PSB+ status block: the psb* fields. */
    PSB,
    /** The end of the trace. */
    END,
    /** A packet-level problem: {@link #errKind}, {@link #errMessage}, {@link #errOffset}. */
    ERROR
  }

  private final PacketDecoder pd;
  private final Packet p = new Packet();
  private final Packet stash = new Packet();
  private boolean stashed;

  private long tntBits;
  private int tntCount;
  private Item item;

  // What the next FUP binds to, set by MODE.TSX, EXSTOP(IP), PTW(IP).
  private static final int FUP_ASYNC = 0, FUP_TSX = 1, FUP_EXSTOP = 2, FUP_PTW = 3, FUP_CFE = 4, FUP_DROP = 5;
  private int fupFor = FUP_ASYNC;
  private long fupForPayload;
  private boolean replayFup;
  private long replayFupIp;
  // An MWAIT waits for the next FUP (shared with its EXSTOP), as in libipt.
  private boolean mwaitPending;
  private long mwaitPayload;
  // Whether tracing is on as the packets say (PSB+ FUP, TIP.PGE, TIP.PGD, OVF's FUP), as libipt's
  // event decoder tracks it: events while it is off bind to no IP.
  private boolean tracing = true;
  // Power and status events seen while an MWAIT waits: libipt reports them after the MWAIT and
  // the EXSTOP its FUP completes, in their order.
  private static final int HELD = 8;
  private final FlowEventKind[] heldKind = new FlowEventKind[HELD];
  private final long[] heldPayload = new long[HELD];
  private int heldFirst, heldCount;
  // Event trace: the EVD packets since the last CFE (what they carry waits for it), and a CFE
  // without IP bit that comes with the next interrupt's FUP (INTR, SMI, INIT, VMEXIT, UINTR,
  // SWINTR), as libipt 2.2 binds them. cfe* hold the CFE waiting for its FUP (FUP_CFE) or for
  // the interrupt (cfeAsync).
  private boolean evdCr2, evdVmxq, evdVmxr;
  // libipt 2.2 reports a PWRE with the next PWRX: events between come first (tracing enabled or
  // disabled too), and a PWRE that no PWRX follows is not reported (ptt case
  // pwre-waits-for-pwrx). The PWREs waiting, oldest first; pwrxNext: the PWRX comes next.
  private final long[] pwres = new long[HELD];
  private int pwreCount, pwreGiven;
  private boolean pwrxNext;
  private long pwrxPayload;
  private long cr2, vmxq, vmxr;
  private boolean cfeAsync;
  private FlowEventKind cfeKind;
  private long cfePayload, cfeData1, cfeData2;

  /** EVENT: the kind. */
  public FlowEventKind evKind;
  /**
   * EVENT: the IP the event binds to — the walker executes up to (not including) the
   * instruction there first — when {@link #evBound}; else where it names one, or NO_IP.
   */
  public long evIp;
  /** EVENT: the event waits for the walk to reach {@link #evIp}. */
  public boolean evBound;
  /** EVENT: TIP/TIP.PGD/TIP.PGE target ({@link FlowSink#NO_IP} when suppressed). */
  public long evTarget;
  /** EVENT: kind-specific payload, as {@link FlowSink#event} documents. */
  public long evPayload;
  /** EVENT: a MODE.Exec that came with it (16/32/64), or 0. */
  public int evModeBits;
  /** EVENT: a PIP that came with it: CR3 | NR, or -1. */
  public long evPaging;
  /** EVENT DISABLED: true for an asynchronous disable (FUP + TIP.PGD). */
  public boolean evAsync;
  /** EVENT INTERRUPT: a VMCS base that came with it (a VM exit), or -1. */
  public long evVmcs;
  /** EVENT INTR, VMEXIT: the data of the EVD packets before the CFE (see {@link FlowEventKind}). */
  public long evData1, evData2;
  /**
   * EVENT: reported after the instruction at {@link #evIp} (event trace's IRET, VMENTRY, UIRET,
   * SYSCALL with the CFE's IP bit); without an IP, after the instruction that takes the next TIP
   * ({@link #evAtTip}).
   */
  public boolean evAfter;
  /** EVENT EXEC_MODE, INTERRUPT, DISABLED, OVERFLOW: EFLAGS.IF of the MODE.Exec that came (1, 0), or -1. */
  public int evIf;
  /** PSB: EFLAGS.IF of the PSB+'s MODE.Exec, or -1. */
  public int psbIf;
  /** EVENT: waits for the next instruction that takes a TIP (an IRET's CFE without IP). */
  public boolean evAtTip;
  /** EVENT TRIG: the instruction count from its anchor (ICNT), or -1 when it has none. */
  public int evCount;

  /** TIP: the target, or NO_IP with {@link #tipSuppressed}. */
  public long tipIp;
  public boolean tipSuppressed;

  /** PSB: the FUP's IP (NO_IP when tracing is off), MODE.Exec bits (0 none), PIP (-1 none), MODE.TSX bits (-1 none). */
  public long psbIp;
  public int psbModeBits;
  public long psbPaging;
  public int psbTsx;
  /** PSB: an OVF inside the PSB+, resolved by its FUP: decoding resumes there after an overflow. */
  public boolean psbOverflow;
  /** PSB: the VMCS base the PSB+ gives, or -1. */
  public long psbVmcs;
  /**
   * PSB: the status packets of the PSB+ in their order (PAGING, VMCS, EXEC_MODE, CBR, MNT) with
   * their payloads, as libipt reports them; the walker counts those reported in {@link #psbStatusDone}.
   */
  public final FlowEventKind[] psbStatus = new FlowEventKind[16];
  public final long[] psbStatusPayload = new long[16];
  public int psbStatusCount;
  public int psbStatusDone;
  public long psbOffset;

  /** ERROR: where and what. */
  public long errOffset;
  public String errKind;
  public String errMessage;
  /** ERROR: the problem broke an event's packet sequence (FUP…TIP, OVF…FUP, PSB+), not a lone packet. */
  public boolean errInSequence;

  /**
   * The time estimate now (libipt's: TSC refined by TMA, MTC and CYC with the timing
   * configuration of {@link #timing}), or {@link FlowSink#NO_TS} before the first TSC.
   */
  public long tsc = FlowSink.NO_TS;

  // libipt's query decoder tracks time with the same integer arithmetic ptdump shows, so events
  // carry the value ptxed's --event:time prints.
  private iptq.pt.PtdumpClock clock = new iptq.pt.PtdumpClock(iptq.pt.PtdumpClock.Config.DEFAULT);
  private boolean inHeader;
  private long ovfTsc = FlowSink.NO_TS;
  /**
   * The time at the TNT or TIP packet of the last {@link #takeTnt()} or {@link #takeTip()}: the
   * time libipt gives a branch's query (its tick events carry it).
   */
  public long takenTsc = FlowSink.NO_TS;
  private long tntTsc = FlowSink.NO_TS;
  private long tipTsc = FlowSink.NO_TS;
  /** EVENT: the time it carries (an overflow's is the time at its OVF packet). */
  public long evTsc = FlowSink.NO_TS;
  private boolean keepTcalOnOvf;

  private long itemOffset;

  public QueryDecoder(PacketDecoder pd) {
    this.pd = pd;
  }

  /** The trace offset of the packet the current item came from. */
  public long offset() {
    return itemOffset;
  }

  public PacketDecoder packets() {
    return pd;
  }

  /** The next item, decoding packets as needed. */
  public Item peek() {
    if (tntCount > 0) return Item.TNT;
    if (item != null) return item;
    Item r = read();
    if (r != Item.TNT) item = r; // TNT lives in the bit cache
    return r;
  }

  /** TNT: the next bit, not yet consumed. */
  public boolean tntBit() {
    return ((tntBits >>> (tntCount - 1)) & 1) != 0;
  }

  /** TNT: consumes the next bit and returns it. */
  public boolean takeTnt() {
    boolean b = tntBit();
    tntCount--;
    takenTsc = tntTsc;
    return b;
  }

  /** How many TNT bits are cached (already decoded, not yet consumed). */
  public int tntPending() {
    return tntCount;
  }

  /**
   * A deferred TIP, as libipt 2.2 finds it: the walker needs a TIP (an indirect branch or far
   * transfer) and the next item is a TNT bit. The TIP may come after the cached TNT bits, or
   * after one more TNT packet whose bits then join the cache; the bits stay for the branches
   * after the indirect one. True when such a TIP is there: it is then the next item until
   * {@link #takeTip()}, and the TNT bits follow it. False, with nothing consumed, otherwise.
   */
  public boolean deferTip() {
    if (tntCount == 0 || item != null) return false;
    int count = tntCount;
    long bits = count == 64 ? tntBits : tntBits & ((1L << count) - 1);
    tntCount = 0;
    Item r = read();
    if (r == Item.TNT) {
      int more = tntCount;
      if (count + more > 64) {
        // The cache holds 64 bits: libipt fails here too. Keep the newer bits for the error.
        item = null;
        return false;
      }
      bits = more == 64 ? tntBits : (bits << more) | (tntBits & ((1L << more) - 1));
      count += more;
      tntCount = 0;
      r = read();
      if (r == Item.TNT) {
        // Two TNT packets before the TIP: libipt's query fails. Report at the second.
        tntBits = bits;
        tntCount = count;
        item = null;
        return false;
      }
    }
    tntBits = bits;
    tntCount = count;
    item = r;
    return r == Item.TIP;
  }

  public void takeTip() {
    item = null;
    takenTsc = tipTsc;
  }

  /** Consumes the current EVENT or PSB item. */
  public void take() {
    item = null;
  }

  /**
   * Drops everything pending and moves to the next PSB; returns the bytes skipped (from the
   * current packet to the PSB, or to the end when there is none).
   */
  public long resync() {
    tntCount = 0;
    item = null;
    stashed = false;
    fupFor = FUP_ASYNC;
    replayFup = false;
    mwaitPending = false;
    heldCount = 0;
    clearEventTrace();
    pwreCount = pwreGiven = 0;
    pwrxNext = false;
    // libipt resets its decoder, time and calibration included, when it syncs again.
    clock.reset();
    tsc = FlowSink.NO_TS;
    inHeader = false;
    long from = pd.offset();
    long psb = pd.sync();
    return psb < 0 ? Math.max(0, pd.size() - from) : Math.max(0, psb - from);
  }

  private PacketDecoder.Status nextPacket() {
    if (stashed) {
      stashed = false;
      p.set(stash);
      return PacketDecoder.Status.OK;
    }
    // IPs come decompressed: the packet layer restarts compression at PSB and OVF, as libipt's
    // query decoder does.
    PacketDecoder.Status st = pd.next(p);
    if (st == PacketDecoder.Status.OK) time();
    return st;
  }

  /** The timing configuration (ptxed's --mtc-freq, --nom-freq, --cpuid-0x15.*; errata for SKL168). */
  public QueryDecoder timing(iptq.pt.PtdumpClock.Config config, boolean keepTcalOnOvf) {
    clock = new iptq.pt.PtdumpClock(config);
    this.keepTcalOnOvf = keepTcalOnOvf;
    return this;
  }

  /**
   * Updates the time estimate and its calibration with packet {@code p}, as libipt's query
   * decoder does on reading it: the calibration first, then the time; errors of either leave the
   * estimate less precise (libipt ignores configuration errors; the others only lose accuracy
   * here where libipt would stop the decode, see docs/known-limits.md).
   */
  private void time() {
    switch (p.kind) {
      case PSB -> {
        inHeader = true;
        clock.calPsb();
      }
      case PSBEND -> inHeader = false;
      case OVF -> {
        inHeader = false;
        // libipt's query decoder starts its calibration over at OVF (keeping the time) unless
        // asked to keep it (ptxed's --insn:keep-tcal-on-ovf)
        if (keepTcalOnOvf) clock.calOvf();
        else clock.resetCalibration();
      }
      case TSC -> {
        if (inHeader) clock.calHeaderTsc(p.payload);
        else clock.calTsc(p.payload);
        clock.timeTsc(p.payload);
      }
      case CBR -> {
        if (inHeader) clock.calHeaderCbr((int) p.payload);
        else clock.calCbr((int) p.payload);
        clock.timeCbr((int) p.payload);
      }
      case TMA -> clock.timeTma((int) p.payload, (int) p.payload2);
      case MTC -> {
        clock.calMtc((int) p.payload);
        clock.timeMtc((int) p.payload);
      }
      case CYC -> {
        long fcr = clock.fcr();
        clock.calCyc(p.payload);
        clock.timeCyc(p.payload, fcr);
      }
      default -> {
        return;
      }
    }
    if (clock.haveTsc()) tsc = clock.tsc();
  }

  /**
   * With {@link Item#ERROR}: the error is one libipt finds after an OVF reset its decoder, so it
   * reports it without an IP.
   */
  boolean errAfterReset;

  private Item error(String kind, String message) {
    errAfterReset = false;
    errInSequence = true;
    errOffset = p.offset;
    errKind = kind;
    errMessage = message;
    return Item.ERROR;
  }

  private Item packetError() {
    return packetError(true);
  }

  private Item packetError(boolean inSequence) {
    errAfterReset = false;
    errInSequence = inSequence;
    DecodeError e = pd.lastError();
    errOffset = e.offset();
    errKind = e.kind();
    errMessage = e.message();
    return Item.ERROR;
  }

  /**
   * ERROR: the trace ends inside a packet (not one that completes an event already begun), where
   * libipt finds the end of the trace rather than an error.
   */
  public boolean errAtEnd() {
    return !errInSequence && DecodeError.TRUNCATED.equals(errKind);
  }

  private void event(FlowEventKind kind, long ip, boolean bound, long payload) {
    evKind = kind;
    evTsc = kind == FlowEventKind.OVERFLOW ? ovfTsc : tsc;
    evIp = ip;
    evBound = bound;
    evPayload = payload;
    evTarget = FlowSink.NO_IP;
    evModeBits = 0;
    evPaging = -1;
    evAsync = false;
    evVmcs = -1;
    evData1 = 0;
    evData2 = 0;
    evAfter = false;
    evAtTip = false;
    evCount = -1;
    evIf = -1;
  }

  private void clearEventTrace() {
    evdCr2 = evdVmxq = evdVmxr = false;
    cfeAsync = false;
    if (fupFor == FUP_CFE || fupFor == FUP_DROP) fupFor = FUP_ASYNC;
  }

  private Item read() {
    if (replayFup) {
      replayFup = false;
      Item r = fup(replayFupIp);
      if (r != null) return r;
    }
    if (pwrxNext) {
      if (pwreGiven < pwreCount) {
        event(FlowEventKind.PWRE, FlowSink.NO_IP, false, pwres[pwreGiven++]);
        return Item.EVENT;
      }
      pwrxNext = false;
      pwreCount = pwreGiven = 0;
      event(FlowEventKind.PWRX, FlowSink.NO_IP, false, pwrxPayload);
      return Item.EVENT;
    }
    if (heldCount > 0 && !mwaitPending) {
      // Events that came while an MWAIT waited for its FUP follow what that FUP completes.
      event(heldKind[heldFirst], FlowSink.NO_IP, false, heldPayload[heldFirst]);
      heldFirst = (heldFirst + 1) % HELD;
      heldCount--;
      return Item.EVENT;
    }
    for (;;) {
      PacketDecoder.Status st = nextPacket();
      if (st == PacketDecoder.Status.END) return Item.END;
      if (st == PacketDecoder.Status.ERROR) return packetError(fupFor != FUP_ASYNC);
      itemOffset = p.offset;
      switch (p.kind) {
        case TNT_8, TNT_64 -> {
          if (p.tntCount == 0) continue;
          tntBits = p.tntBits;
          tntCount = p.tntCount;
          tntTsc = tsc;
          return Item.TNT;
        }
        case TIP -> {
          tipTsc = tsc;
          tipSuppressed = p.ipSuppressed;
          tipIp = p.ipSuppressed ? FlowSink.NO_IP : p.ip;
          return Item.TIP;
        }
        case TIP_PGE -> {
          tracing = true;
          event(FlowEventKind.ENABLED, p.ipSuppressed ? FlowSink.NO_IP : p.ip, false, 0);
          return Item.EVENT;
        }
        case TIP_PGD -> {
          tracing = false;
          event(FlowEventKind.DISABLED, FlowSink.NO_IP, false, 0);
          evTarget = p.ipSuppressed ? FlowSink.NO_IP : p.ip;
          return Item.EVENT;
        }
        case FUP -> {
          Item r = fup(p.ipSuppressed ? FlowSink.NO_IP : p.ip);
          if (r != null) return r;
        }
        case PIP -> {
          event(FlowEventKind.PAGING, FlowSink.NO_IP, false, p.payload | (p.payload2 & 1));
          return Item.EVENT;
        }
        case MODE_EXEC -> {
          event(FlowEventKind.EXEC_MODE, FlowSink.NO_IP, false, p.execBits());
          evIf = ifOf(p);
          return Item.EVENT;
        }
        case MODE_TSX -> {
          if (!tracing) {
            // Tracing is off: no FUP comes for it, and a later FUP (of a FUP+TIP.PGE) is not its.
            event(FlowEventKind.TSX, FlowSink.NO_IP, false, (p.payload & 2) != 0 ? 2 : (p.payload & 1));
            return Item.EVENT;
          }
          fupFor = FUP_TSX;
          fupForPayload = p.payload;
        }
        case OVF -> {
          return overflowSequence();
        }
        case PSB -> {
          if (evdCr2 || evdVmxq || evdVmxr || cfeAsync || fupFor == FUP_CFE || fupFor == FUP_DROP) {
            // libipt 2.2 does not carry a partial event across a PSB.
            clearEventTrace();
            return error(FlowError.BAD_CONTEXT, "PSB while an event-trace packet (CFE/EVD) waits for what completes it");
          }
          pwreCount = 0; // not known to survive a PSB: none in the tests
          return psbSequence();
        }
        case EVD -> {
          Item r = evd();
          if (r != null) return r;
        }
        case CFE -> {
          Item r = cfe();
          if (r != null) return r;
        }
        case TRIG -> {
          return trig();
        }
        case TSC -> tsc = p.payload;
        case STOP -> {
          event(FlowEventKind.STOP, FlowSink.NO_IP, false, 0);
          return Item.EVENT;
        }
        case VMCS -> {
          event(FlowEventKind.VMCS, FlowSink.NO_IP, false, p.payload);
          return Item.EVENT;
        }
        case MNT -> {
          if (hold(FlowEventKind.MNT, p.payload)) continue;
          event(FlowEventKind.MNT, FlowSink.NO_IP, false, p.payload);
          return Item.EVENT;
        }
        case CBR -> {
          if (hold(FlowEventKind.CBR, p.payload)) continue;
          event(FlowEventKind.CBR, FlowSink.NO_IP, false, p.payload);
          return Item.EVENT;
        }
        case EXSTOP -> {
          if (p.payload != 0) {
            fupFor = FUP_EXSTOP;
          } else if (mwaitPending) {
            // An EXSTOP without IP completes a waiting MWAIT without one: the MWAIT, then it,
            // then what waited behind the MWAIT.
            mwaitPending = false;
            heldFirst = (heldFirst + HELD - 1) % HELD;
            heldKind[heldFirst] = FlowEventKind.EXSTOP;
            heldPayload[heldFirst] = 0;
            heldCount = Math.min(HELD, heldCount + 1);
            event(FlowEventKind.MWAIT, FlowSink.NO_IP, false, mwaitPayload);
            return Item.EVENT;
          } else {
            event(FlowEventKind.EXSTOP, FlowSink.NO_IP, false, 0);
            return Item.EVENT;
          }
        }
        case PTW -> {
          if (p.ptwIp()) {
            fupFor = FUP_PTW;
            fupForPayload = p.payload;
          } else {
            event(FlowEventKind.PTWRITE, FlowSink.NO_IP, false, p.payload);
            return Item.EVENT;
          }
        }
        case MWAIT -> {
          long v = p.payload << 32 | (p.payload2 & 0xffffffffL);
          mwaitPending = true;
          mwaitPayload = v;
        }
        case PWRE -> {
          long v = (long) p.pwreState() << 8 | p.pwreSubState() | (p.pwreHw() ? 1L << 16 : 0);
          if (hold(FlowEventKind.PWRE, v)) continue;
          if (pwreCount < HELD) pwres[pwreCount++] = v;
        }
        case PWRX -> {
          long v = (long) p.pwrxLast() << 8 | p.pwrxDeepest() | (long) p.pwrxWakeReason() << 16;
          if (hold(FlowEventKind.PWRX, v)) continue;
          if (pwreCount > 0) {
            pwrxNext = true;
            pwrxPayload = v;
            pwreGiven = 1;
            event(FlowEventKind.PWRE, FlowSink.NO_IP, false, pwres[0]);
            return Item.EVENT;
          }
          event(FlowEventKind.PWRX, FlowSink.NO_IP, false, v);
          return Item.EVENT;
        }
        default -> {
          // PAD, MTC, CYC, TMA, PSBEND out of place: nothing for the walk.
        }
      }
    }
  }

  /** A FUP outside PSB+, for what came before it (MWAIT, MODE.TSX, EXSTOP, PTW) or else asynchronous. */
  /** Holds an event behind a waiting MWAIT (see {@link #heldKind}); false when none waits or the queue is full. */
  private boolean hold(FlowEventKind kind, long payload) {
    if (!mwaitPending || heldCount == HELD) return false;
    int i = (heldFirst + heldCount++) % HELD;
    heldKind[i] = kind;
    heldPayload[i] = payload;
    return true;
  }

  private Item fup(long ip) {
    if (mwaitPending) { // first the MWAIT, then the same FUP again for what else it completes
      mwaitPending = false;
      event(FlowEventKind.MWAIT, ip, ip != FlowSink.NO_IP, mwaitPayload);
      if (fupFor != FUP_ASYNC) {
        replayFup = true;
        replayFupIp = ip;
      }
      return Item.EVENT;
    }
    int what = fupFor;
    fupFor = FUP_ASYNC;
    switch (what) {
      case FUP_TSX -> {
        long state = (fupForPayload & 2) != 0 ? 2 : (fupForPayload & 1);
        event(FlowEventKind.TSX, ip, ip != FlowSink.NO_IP, state);
        if (state == 2) { // an abort is also an asynchronous branch from the same FUP
          replayFup = true;
          replayFupIp = ip;
        }
        return Item.EVENT;
      }
      case FUP_EXSTOP -> {
        event(FlowEventKind.EXSTOP, ip, ip != FlowSink.NO_IP, 0);
        return Item.EVENT;
      }
      case FUP_PTW -> {
        event(FlowEventKind.PTWRITE, ip, ip != FlowSink.NO_IP, fupForPayload);
        evData1 = ip != FlowSink.NO_IP ? 1 : 0; // the IP came with the trace (ptxed prints it)
        return Item.EVENT;
      }
      case FUP_CFE -> {
        cfeEvent(ip, ip != FlowSink.NO_IP);
        evAfter = afterInstruction(cfeKind);
        return Item.EVENT;
      }
      case FUP_DROP -> {
        return null; // the FUP of a CFE of a type libipt does not know: neither is reported
      }
      default -> {
        if (cfeAsync) {
          // A CFE without IP bit takes the interrupt's FUP; the FUP then starts the interrupt.
          cfeAsync = false;
          cfeEvent(ip, ip != FlowSink.NO_IP);
          replayFup = true;
          replayFupIp = ip;
          return Item.EVENT;
        }
        return asyncSequence(ip);
      }
    }
  }

  /** MODE.Exec's IF bit (bit 2 of its payload). */
  private static int ifOf(Packet p) {
    return (int) (p.payload >>> 2) & 1;
  }

  private void cfeEvent(long ip, boolean bound) {
    event(cfeKind, ip, bound, cfePayload);
    evData1 = cfeData1;
    evData2 = cfeData2;
  }

  /** Event trace's returns and entries: libipt reports them after their instruction. */
  private static boolean afterInstruction(FlowEventKind k) {
    return k == FlowEventKind.IRET || k == FlowEventKind.VMENTRY || k == FlowEventKind.UIRET
        || k == FlowEventKind.SYSCALL;
  }

  /**
   * EVD: data for the next CFE (CR2 for a page fault, VM exit qualification and reason). A second
   * one of a type before that CFE is out of context to libipt; types it does not know are ignored.
   */
  private Item evd() {
    long v = p.payload2;
    switch ((int) p.payload) {
      case 0 -> {
        if (evdCr2) return evdTwice();
        evdCr2 = true;
        cr2 = v;
      }
      case 1 -> {
        if (evdVmxq) return evdTwice();
        evdVmxq = true;
        vmxq = v;
      }
      case 2 -> {
        if (evdVmxr) return evdTwice();
        evdVmxr = true;
        vmxr = v;
      }
      default -> {}
    }
    return null;
  }

  private Item evdTwice() {
    clearEventTrace();
    return error(FlowError.BAD_CONTEXT, "two EVD packets of type " + p.payload + " before a CFE");
  }

  /**
   * CFE: a control-flow event of event trace, bound as libipt 2.2 binds it. With the IP bit it
   * waits for its FUP: reported where the walk reaches that IP (IRET, VMENTRY, UIRET, SYSCALL
   * after the instruction there). Without: INTR, SMI, INIT, VMEXIT, UINTR, SWINTR come with the
   * next interrupt (FUP + TIP or TIP.PGD) at its FUP; IRET, VMENTRY, UIRET, SYSCALL with the next
   * TIP; RSM, SIPI, SHUTDOWN stand alone, as does every CFE while tracing is off. Returns null
   * when the CFE waits for more.
   */
  private Item cfe() {
    int type = p.cfeType();
    boolean ipBit = p.cfeIp();
    long vector = p.payload2 & 0xff;
    FlowEventKind k = switch (type) {
      case 0x01 -> FlowEventKind.INTR;
      case 0x02 -> FlowEventKind.IRET;
      case 0x03 -> FlowEventKind.SMI;
      case 0x04 -> FlowEventKind.RSM;
      case 0x05 -> FlowEventKind.SIPI;
      case 0x06 -> FlowEventKind.INIT;
      case 0x07 -> FlowEventKind.VMENTRY;
      case 0x08, 0x09 -> FlowEventKind.VMEXIT;
      case 0x0a -> FlowEventKind.SHUTDOWN;
      case 0x0c -> FlowEventKind.UINTR;
      case 0x0d -> FlowEventKind.UIRET;
      case 0x0e -> FlowEventKind.SWINTR;
      case 0x0f -> FlowEventKind.SYSCALL;
      default -> null;
    };
    boolean vmexit = k == FlowEventKind.VMEXIT;
    if (k != null && (evdCr2 && k != FlowEventKind.INTR || (evdVmxq || evdVmxr) && !vmexit)) {
      clearEventTrace();
      return error(FlowError.BAD_CONTEXT, "EVD packet before a CFE of type " + type + " it does not belong to");
    }
    if ((k == FlowEventKind.RSM || k == FlowEventKind.SIPI) && ipBit) {
      clearEventTrace();
      errInSequence = true;
      errOffset = p.offset;
      errKind = DecodeError.BAD_PACKET;
      errMessage = "cfe of type " + type + " with the IP bit set";
      return Item.ERROR;
    }
    long payload = 0, data1 = 0, data2 = 0;
    if (k == FlowEventKind.INTR) {
      payload = vector | (evdCr2 ? 0x100 : 0);
      data1 = cr2;
    } else if (vmexit) {
      payload = (type == 0x09 ? vector | 0x100 : 0) | (evdVmxr ? 0x200 : 0) | (evdVmxq ? 0x400 : 0);
      data1 = vmxr;
      data2 = vmxq;
    } else if (k == FlowEventKind.SIPI || k == FlowEventKind.UINTR || k == FlowEventKind.SWINTR) {
      payload = vector;
    }
    evdCr2 = evdVmxq = evdVmxr = false;
    if (k == null) {
      // A type libipt 2.2 does not know: dropped, with its FUP.
      if (ipBit) fupFor = FUP_DROP;
      return null;
    }
    cfeKind = k;
    cfePayload = payload;
    cfeData1 = data1;
    cfeData2 = data2;
    if (ipBit) {
      fupFor = FUP_CFE;
      return null;
    }
    boolean alone = k == FlowEventKind.RSM || k == FlowEventKind.SIPI || k == FlowEventKind.SHUTDOWN;
    if (!tracing || alone) {
      cfeEvent(FlowSink.NO_IP, false);
      return Item.EVENT;
    }
    if (afterInstruction(k)) {
      cfeEvent(FlowSink.NO_IP, false);
      evAtTip = true;
      return Item.EVENT;
    }
    cfeAsync = true;
    return null;
  }

  /**
   * TRIG: a trigger fired. With ICNT it is attributed to the instruction ICNT instructions after
   * its anchor (the walk's place when it takes the event: after the last TNT bit, TIP, TIP.PGE,
   * interrupt or trigger); without, it stands alone. libipt 2.2 refuses the IP bit (a FUP as
   * anchor) and an ICNT while tracing is off as bad packets.
   */
  private Item trig() {
    long flags = p.payload;
    boolean icntv = (flags & 0x40) != 0;
    if ((flags & 0x80) != 0 || icntv && !tracing) {
      errInSequence = true;
      errOffset = p.offset;
      errKind = DecodeError.BAD_PACKET;
      errMessage = (flags & 0x80) != 0 ? "trig with the IP bit set" : "trig with an instruction count while tracing is off";
      return Item.ERROR;
    }
    event(FlowEventKind.TRIG, FlowSink.NO_IP, false, (p.payload2 & 0xff) | ((flags & 0x20) != 0 ? 0x100 : 0));
    evCount = icntv ? (int) (p.payload2 >>> 8) : -1;
    return Item.EVENT;
  }

  /** FUP outside PSB+: an interrupt/exception (… TIP) or an asynchronous disable (… TIP.PGD). */
  private Item asyncSequence(long from) {
    int mode = 0, iflag = -1;
    long paging = -1;
    long vmcs = -1;
    for (;;) {
      PacketDecoder.Status st = nextPacket();
      if (st == PacketDecoder.Status.END) return Item.END;
      if (st == PacketDecoder.Status.ERROR) return packetError();
      switch (p.kind) {
        case PIP -> paging = p.payload | (p.payload2 & 1);
        case MODE_EXEC -> {
          mode = p.execBits();
          iflag = ifOf(p);
        }
        case TSC -> tsc = p.payload;
        case VMCS -> vmcs = p.payload;
        case PAD, MTC, CYC, TMA, CBR, MNT -> {}
        case TIP -> {
          event(FlowEventKind.INTERRUPT, from, from != FlowSink.NO_IP, 0);
          evTarget = p.ipSuppressed ? FlowSink.NO_IP : p.ip;
          evModeBits = mode;
          evIf = iflag;
          evPaging = paging;
          evVmcs = vmcs;
          return Item.EVENT;
        }
        case TIP_PGD -> {
          tracing = false;
          event(FlowEventKind.DISABLED, from, from != FlowSink.NO_IP, 0);
          evAsync = true;
          evTarget = p.ipSuppressed ? FlowSink.NO_IP : p.ip;
          evModeBits = mode;
          evIf = iflag;
          evPaging = paging;
          evVmcs = vmcs;
          return Item.EVENT;
        }
        default -> {
          return error(FlowError.BAD_SEQUENCE, "FUP at 0x" + Long.toHexString(from) + " followed by " + p.kind.label() + ", not TIP or TIP.PGD");
        }
      }
    }
  }

  private iptq.pt.Errata errata = iptq.pt.Errata.NONE;

  /**
   * Reads the packets as libipt 2.2 does for a processor with {@code e}: after an OVF, SKD010 (the
   * FUP after an OVF may be dropped: a TIP right after the OVF resumes tracing at its IP), APL11
   * (an OVF may be followed by a TIP.PGD: dropped, tracing resumes disabled) and APL12 (a FUP
   * after an OVF while tracing is off: dropped); BDM70 (a PSB+ right before a TIP.PGE may hold
   * a FUP and MODE.Exec although tracing is off: the FUP is ignored).
   */
  public QueryDecoder errata(iptq.pt.Errata e) {
    this.errata = e;
    return this;
  }

  /** OVF: packets were lost; tracing resumes at the next FUP's IP, or disabled. */
  private Item overflowSequence() {
    long ovfOffset = p.offset;
    // libipt stamps the overflow with the time at the OVF; the timing packets up to its FUP
    // count for what follows.
    ovfTsc = tsc;
    int mode = 0, iflag = -1; // (libipt applies neither between OVF and its FUP)
    long paging = -1;
    // The FUP that a MODE.TSX, EXSTOP, PTWRITE or MWAIT waited for was lost: libipt 2.2 drops
    // them, and what waited behind the MWAIT, at the overflow (ovf-pending-*.ptt show it).
    mwaitPending = false;
    heldCount = 0;
    fupFor = FUP_ASYNC;
    clearEventTrace();
    for (;;) {
      PacketDecoder.Status st = nextPacket();
      if (st == PacketDecoder.Status.END) {
        event(FlowEventKind.OVERFLOW, FlowSink.NO_IP, false, 0);
        return Item.EVENT;
      }
      if (st == PacketDecoder.Status.ERROR) return packetError();
      switch (p.kind) {
        case PIP -> paging = p.payload | (p.payload2 & 1);
        case MODE_EXEC -> {
          mode = p.execBits();
          iflag = ifOf(p);
        }
        case TSC -> tsc = p.payload;
        case PAD, MTC, CYC, TMA, CBR, VMCS, MNT -> {}
        case FUP -> {
          if (errata.apl12() && overflowResolvedOff()) {
            // APL12: a FUP after an OVF although tracing is off (the packets after it say so):
            // libipt 2.2 drops it and goes on with tracing off.
            tracing = false;
            event(FlowEventKind.OVERFLOW, FlowSink.NO_IP, false, 0);
            return Item.EVENT;
          }
          tracing = true;
          event(FlowEventKind.OVERFLOW, p.ipSuppressed ? FlowSink.NO_IP : p.ip, false, 0);
          evModeBits = mode;
          evPaging = paging;
          return Item.EVENT;
        }
        case TIP, TIP_PGD, TNT_8, TNT_64, PSBEND -> {
          // Packets of traced code (or a PSBEND) where the FUP or a packet of tracing-off code
          // belongs: libipt 2.2 fails there, unless a workaround for the processor applies.
          if (p.kind == PacketKind.TIP && errata.skd010() && !p.ipSuppressed) {
            // SKD010: the FUP was dropped; resume at the TIP's IP (libipt ignores the PIP and
            // MODE.Exec it passed on the way).
            tracing = true;
            event(FlowEventKind.OVERFLOW, p.ip, false, 0);
            return Item.EVENT;
          }
          if (p.kind == PacketKind.TIP_PGD && (errata.skd010() || errata.apl11())) {
            // SKD010 / APL11: the TIP.PGD tells that tracing went off; it is dropped.
            tracing = false;
            event(FlowEventKind.OVERFLOW, FlowSink.NO_IP, false, 0);
            evModeBits = mode;
            evPaging = paging;
            return Item.EVENT;
          }
          error(FlowError.BAD_CONTEXT, "OVF followed by " + p.kind.label() + " instead of a FUP or a packet of tracing being off");
          errOffset = ovfOffset;
          errAfterReset = true;
          return Item.ERROR;
        }
        default -> {
          if (errata.skd010()) {
            Item resumed = skd010Resume();
            if (resumed != null) return resumed;
          }
          // Tracing was off when the overflow resolved: the packet (TIP.PGE, PSB, ...) comes next.
          tracing = false;
          stash.set(p);
          stashed = true;
          event(FlowEventKind.OVERFLOW, FlowSink.NO_IP, false, 0);
          evModeBits = mode;
          evPaging = paging;
          return Item.EVENT;
        }
      }
    }
  }

  /**
   * SKD010's look-ahead after an OVF that a packet of tracing being off follows (the one at hand):
   * the FUP may have been dropped. Past status and power packets, a FUP or TIP says tracing was
   * on: resume at its IP; a TIP.PGD says it went off: resume after it, disabled; anything else
   * (a TIP.PGE, a TNT, a PSB+, a second overflow, an MWAIT or MODE.TSX, which libipt would carry
   * across, ...) leaves the overflow as it is. The packets passed over are dropped, as in libipt
   * 2.2. Returns the overflow event when the workaround applies, else null.
   */
  private Item skd010Resume() {
    PacketDecoder ahead = pd.lookahead();
    iptq.pt.Packet a = new iptq.pt.Packet();
    a.set(p);
    for (int n = 0;; n++) {
      if (n > 0 && ahead.next(a) != PacketDecoder.Status.OK) return null;
      switch (a.kind) {
        case TIP_PGD, FUP, TIP -> {
          boolean off = a.kind == PacketKind.TIP_PGD;
          if (!off && a.ipSuppressed) return null;
          long at = off ? FlowSink.NO_IP : a.ip;
          for (int i = 0; i < n; i++) {
            if (nextPacket() != PacketDecoder.Status.OK) return null;
            if (p.kind == PacketKind.TSC) tsc = p.payload;
          }
          tracing = !off;
          event(FlowEventKind.OVERFLOW, at, false, 0);
          return Item.EVENT;
        }
        case PIP, VMCS, MODE_EXEC, PAD, MNT, PWRE, PWRX, TSC, TMA, MTC, CYC, CBR, CFE, EVD, TRIG -> {}
        case EXSTOP -> {
          if (a.payload != 0) return null;
        }
        case PTW -> {
          if (a.ptwIp()) return null;
        }
        default -> {
          return null;
        }
      }
    }
  }

  /**
   * APL12's look-ahead past the FUP after an OVF: a TIP.PGE or TraceStop, or a PSB+ without FUP,
   * before any packet of traced code says that tracing was off, as libipt 2.2 reads it.
   */
  private boolean overflowResolvedOff() {
    PacketDecoder ahead = pd.lookahead();
    iptq.pt.Packet a = new iptq.pt.Packet();
    for (;;) {
      if (ahead.next(a) != PacketDecoder.Status.OK) return false;
      switch (a.kind) {
        case TIP_PGE, STOP -> {
          return true;
        }
        case PSB -> {
          for (;;) {
            if (ahead.next(a) != PacketDecoder.Status.OK) return false;
            if (a.kind == PacketKind.FUP) return false;
            if (a.kind == PacketKind.PSBEND) return true;
          }
        }
        case PAD, FUP, TSC, CBR, TMA, MTC, CYC, EXSTOP, MWAIT, PWRE, PWRX, PTW, MNT, PIP, VMCS, MODE_EXEC, MODE_TSX -> {}
        default -> {
          return false; // TNT, TIP, TIP.PGD (tracing is on), PSBEND, OVF, anything else
        }
      }
    }
  }

  /**
   * BDM70's look-ahead past a PSB+'s FUP while tracing is off: a TIP.PGE after only PSB+ and
   * timing packets means the FUP (and the MODE.Exec) should not have been there; libipt 2.2 then
   * ignores the FUP and tracing stays off until the TIP.PGE.
   */
  private boolean psbFupBeforeEnable() {
    PacketDecoder ahead = pd.lookahead();
    iptq.pt.Packet a = new iptq.pt.Packet();
    for (;;) {
      if (ahead.next(a) != PacketDecoder.Status.OK) return false;
      switch (a.kind) {
        case TIP_PGE -> {
          return true;
        }
        case PAD, TSC, CBR, PSBEND, PIP, MODE_EXEC, MODE_TSX, VMCS, TMA, MTC, CYC, MNT -> {}
        default -> {
          return false;
        }
      }
    }
  }

  private void psbStatus(FlowEventKind k, long payload) {
    if (psbStatusCount < psbStatus.length) {
      psbStatus[psbStatusCount] = k;
      psbStatusPayload[psbStatusCount++] = payload;
    }
  }

  private Item psbSequence() {
    psbOffset = p.offset;
    psbIp = FlowSink.NO_IP;
    psbModeBits = 0;
    psbIf = -1;
    psbPaging = -1;
    psbTsx = -1;
    psbVmcs = -1;
    psbStatusCount = 0;
    psbStatusDone = 0;
    psbOverflow = false;
    long ovfOffset = -1;
    fupFor = FUP_ASYNC;
    for (;;) {
      PacketDecoder.Status st = nextPacket();
      if (st == PacketDecoder.Status.END) return Item.END;
      if (st == PacketDecoder.Status.ERROR) return packetError();
      switch (p.kind) {
        case PSBEND -> {
          tracing = psbIp != FlowSink.NO_IP;
          if (ovfOffset >= 0 && !psbOverflow) {
            // libipt 2.2 cannot sync at a PSB+ whose overflow is not followed by a FUP.
            error(FlowError.BAD_CONTEXT, "OVF inside PSB+ without a FUP after it");
            errOffset = ovfOffset;
            return Item.ERROR;
          }
          return Item.PSB;
        }
        case OVF -> ovfOffset = p.offset;
        case FUP -> {
          psbIp = p.ipSuppressed ? FlowSink.NO_IP : p.ip;
          if (errata.bdm70() && !tracing && ovfOffset < 0 && psbFupBeforeEnable()) psbIp = FlowSink.NO_IP; // BDM70
          // An overflow inside PSB+ resolves at the FUP after it: tracing resumes there (libipt).
          if (ovfOffset >= 0) psbOverflow = true;
        }
        case MODE_EXEC -> {
          psbModeBits = p.execBits();
          psbIf = ifOf(p);
          psbStatus(FlowEventKind.EXEC_MODE, psbModeBits);
        }
        case MODE_TSX -> psbTsx = (int) p.payload;
        case PIP -> {
          psbPaging = p.payload | (p.payload2 & 1);
          psbStatus(FlowEventKind.PAGING, psbPaging);
        }
        case TSC -> tsc = p.payload;
        case CBR -> psbStatus(FlowEventKind.CBR, p.payload);
        case MNT -> psbStatus(FlowEventKind.MNT, p.payload);
        case VMCS -> {
          psbVmcs = p.payload;
          psbStatus(FlowEventKind.VMCS, psbVmcs);
        }
        case PAD, MTC, CYC, TMA -> {}
        case CFE, EVD, TRIG -> {
          return error(FlowError.BAD_CONTEXT, p.kind.label() + " inside PSB+");
        }
        default -> {
          return error(FlowError.BAD_SEQUENCE, p.kind.label() + " inside PSB+");
        }
      }
    }
  }
}
