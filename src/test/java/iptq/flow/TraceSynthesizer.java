package iptq.flow;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthesizes Intel PT traces by walking real compiled code: it plays the processor, choosing
 * branch outcomes, indirect targets (among the binary's real function starts), interrupts,
 * filter exits and entries, overflows and mode switches, and emits the packets the hardware
 * would, together with the true instruction sequence in the harness's line format (IP in 16 hex
 * digits per instruction, events in brackets). Packets are encoded here by hand, independently
 * of iptq's packet encoder, so that the differential tests check iptq's packet layer too.
 */
final class TraceSynthesizer {
  /** What to put in a trace; every feature is drawn with its probability per instruction. */
  static final class Options {
    long seed = 1;
    long instructions = 5_000;
    boolean retCompression = true;
    int psbPeriod = 4096;
    double interrupt = 0.002;
    double overflow = 0.0005;
    double asyncDisable = 0.001;
    double syncDisable = 0.05; // of indirect/direct calls and far transfers
    double pad = 0.01;
    double timing = 0.02;
    double tnt64 = 0.3;
    double pip = 0.3; // of interrupts
    double tsx = 0.0;
    double power = 0.0;
    // Features beyond those above; all 0 by default, so the traces of existing seeds stay the same.
    /** Of indirect calls: call a PTWRITE helper (needs {@link Corpora#extended()}). */
    double ptwrite = 0.0;
    /** Of PTW packets: with a FUP giving the PTWRITE instruction's IP. */
    double ptwriteIp = 0.5;
    /** Of interrupts (a VM exit: VMCS with PIP), of PSBs (VMCS in PSB+), of re-enables (VMCS while off). */
    double vmcs = 0.0;
    /** Per instruction boundary right after trace: an MNT packet. */
    double mnt = 0.0;
    /** Per instruction boundary right after trace: EXSTOP without or with IP, or MWAIT+PWRE+EXSTOP+FUP+PWRX. */
    double exstop = 0.0;
    /** Of TSX events inside a transaction: an abort (MODE.TSX abort, FUP, TIP to the abort handler). */
    double tsxAbort = 0.0;
    /** Of PSBs: a PIP in PSB+; of re-enables: a PIP (a CR3 switch) while tracing is off. */
    double statusPip = 0.0;
    /** Of far transfers (SYSCALL, SYSRET, IRET, ...): into code of the other mode (MODE.Exec), or with a PIP. */
    double farSwitch = 0.0;
    /** Of indirect calls: call a far-transfer helper (needs {@link Corpora#farTransfers()}). */
    double far = 0.0;
    /**
     * Of indirect calls: call a helper of src/test/c/synth-newer.c (FRED's ERETU/ERETS, UIRET,
     * APX REX2 code and JMPABS; needs {@link Corpora#newer()}, judged by libipt 2.2).
     */
    double newer = 0.0;
    /** Of CR3 writes: into an address space that is not traced (TIP.PGD without IP, no PIP). */
    double cr3Disable = 0.0;
    /**
     * Of disables at a far transfer or CR3 write: tracing comes back right at the next
     * instruction, as when the code a far call entered returns (SYSRET, IRET, far RET).
     */
    double resumeNext = 0.0;
    // Features libipt 2.2 decodes and 2.0.5 does not (the traces that draw them are judged by
    // 2.2 alone); all 0 by default.
    /**
     * Of indirect jumps and calls: a deferred TIP, written after the TNT bits of the branches
     * that follow it in the same TNT packet.
     */
    double deferredTip = 0.0;
    /** Of PSBs inside the trace: an OVF inside the PSB+, before its FUP (where tracing resumes). */
    double ovfInPsb = 0.0;
    /** Of re-enables: power, EXSTOP and TSX events while tracing is off (standalone, no IP). */
    double whileDisabled = 0.0;
    /**
     * Event trace: of interrupts, a CFE (with the EVD of a page fault's CR2, or of a VM exit's
     * reason and qualification) with or without its own FUP; of software interrupts and IRETs
     * (far-transfer helpers), their CFE; of re-enables, standalone CFEs while tracing is off.
     */
    double eventTrace = 0.0;
    /** Per instruction boundary: a TRIG, with the count of instructions from its anchor or (right after trace) without. */
    double trig = 0.0;
    boolean recordTruth = true;
    boolean startWithPge = false;
    /** Indirect targets come from this many functions per region (0: all), for hot-code locality. */
    int hotFunctions = 0;
  }

  final Options o;
  final CodeCorpus corpus;
  final SynthInsn.Cache insns;
  final Random rnd;
  final Out out = new Out();
  final List<String> truth = new ArrayList<>();
  long executed;
  /** Far transfers and software interrupts the walk took, by mode and {@link SynthInsn#far} name ("64-bit lretq"). */
  final java.util.Map<String, Integer> farTransfers = new java.util.TreeMap<>();
  /**
   * Where tracing came back at the instruction after the one that disabled it, by mode and what
   * disabled it ("64-bit far call", "32-bit far jump", "64-bit far return", "32-bit mov cr3").
   */
  final java.util.Map<String, Integer> resumedNext = new java.util.TreeMap<>();

  // processor state
  private CodeCorpus.Region region;
  private long ip;
  private long cr3 = 0x1000;
  private static final long[] CR3S = {0x1aa000L, 0x7d5e3000L, 0x12345000L, 0x000f_0000_0001_0000L, 0x3c0000L};
  private final long[] stack = new long[64];
  private int stackTop, stackSize;
  private long tnt = 1; // stop bit then pending bits
  private int tntCount;
  private long lastIp;
  private long lastPsb;
  private long tsc = 0x1000_0000L;
  private boolean inTx;
  private long vmcsBase = 0x1234_5000L;
  private static final long[] VMCS = {0x1234_5000L, 0x7_ffe0_1000L, 0xa_bcde_f000L, 0x9000L};
  // Whether the last instruction consumed trace (a TNT bit or a TIP): an overflow is only
  // visible to a decoder right there, because the instructions after the last packet before an
  // OVF leave nothing in the trace.
  private boolean afterQuery;
  // Where a decoder expects tracing to resume after the last disable (libipt: the disabling
  // branch's known successor, the FUP's IP for an asynchronous disable): enabling there is a "resume".
  private long lastDisableIp;
  // A direct jump or call walked since the last TNT/TIP: a TIP.PGD with an IP would be ambiguous
  // (decoders bind it to the first branch since the last packet whose target matches), so the
  // synthesizer does not disable synchronously then.
  private boolean directSincePacket;
  // The first instruction after the last packet a decoder used: from there to the current one
  // the code runs straight (no direct jump, see directSincePacket). libipt 2.2 ends tracing
  // where the walk reaches a TIP.PGD's IP, so a synchronous disable into that stretch (a jump
  // back into its own block) would end it before the jump; the synthesizer does not make one.
  private long packetIp;
  // Instructions walked since the last TNT bit, TIP, TIP.PGE or TRIG (a TRIG's anchors, ICNT
  // counts from there), and whether no other packet with an IP (a FUP, whose anchoring libipt
  // leaves open) or PSB came since.
  private int sincePacket;
  private boolean trigAnchor;
  // The last packet a decoder used was a return's (TNT bit or TIP): libipt 2.2 fails on a CFE whose
  // interrupt comes right at the return address (docs/known-limits.md), so none is drawn there.
  private boolean afterRet;
  // A deferred TIP (Options.deferredTip): its target, written when the TNT packet is.
  private boolean deferred;
  private long deferredTarget;

  TraceSynthesizer(CodeCorpus corpus, SynthInsn.Cache insns, Options o) {
    this.o = o;
    this.corpus = corpus;
    this.insns = insns;
    this.rnd = new Random(o.seed);
  }

  /**
   * Whether the trace draws what libipt 2.0.5 predates or decodes otherwise than 2.2 (event
   * trace, triggers, deferred TIPs, OVF inside PSB+, events while tracing is off).
   */
  boolean needs22() {
    return needs22;
  }

  /** The packet kinds of event trace and trigger tracing, counted as written ("cfe 1", "evd 0", "trig icnt", ...). */
  final java.util.Map<String, Integer> eventTraceCounts = new java.util.TreeMap<>();

  private void counted(String what) {
    needs22 = true;
    eventTraceCounts.merge(what, 1, Integer::sum);
  }

  private boolean needs22;

  /** The trace bytes, after {@link #run()}. */
  byte[] trace() {
    return out.toByteArray();
  }

  TraceSynthesizer run() {
    jumpToRandomFunction(null);
    psb(!o.startWithPge);
    if (o.startWithPge) {
      pge();
    }
    while (executed < o.instructions) {
      step();
    }
    // End: leave tracing with a disable at the current IP, as a ToPA stop would.
    flushTnt();
    fup(ip);
    tipPgd(-1, true);
    event("[disabled, at: " + hex(ip) + "]");
    out.write(0x02, 0x83);
    event("[stopped]");
    return this;
  }

  private void step() {
    if (afterQuery) packetIp = ip;
    if (o.trig > 0 && !deferred && rnd.nextDouble() < o.trig) trig();
    if (out.size() - lastPsb >= o.psbPeriod) {
      psb(true);
    }
    if (o.pad > 0 && rnd.nextDouble() < o.pad) out.write(0x00);
    if (o.timing > 0 && rnd.nextDouble() < o.timing) timing();
    if (rnd.nextDouble() < o.interrupt) {
      interrupt();
      return;
    }
    if (afterQuery && rnd.nextDouble() < o.overflow) {
      overflow();
      return;
    }
    if (rnd.nextDouble() < o.asyncDisable) {
      asyncDisable();
      return;
    }
    if (o.tsx > 0 && rnd.nextDouble() < o.tsx) {
      if (inTx && o.tsxAbort > 0 && rnd.nextDouble() < o.tsxAbort) {
        tsxAbort();
        return;
      }
      tsx();
    }
    if (afterQuery && o.mnt > 0 && rnd.nextDouble() < o.mnt) {
      flushTnt();
      trigAnchor = false;
      long payload = rnd.nextLong();
      out.write(0x02, 0xc3, 0x88);
      out.le(payload, 8);
      event("[mnt: " + Long.toHexString(payload) + "]");
    }
    if (afterQuery && o.exstop > 0 && rnd.nextDouble() < o.exstop) {
      exstop();
    }
    // Power events carry no IP: a decoder reports them right after the last packet it used, so
    // they are only emitted where that is the current instruction boundary.
    if (afterQuery && o.power > 0 && rnd.nextDouble() < o.power) {
      power();
    }
    SynthInsn in = insns.get(region, ip);
    long next = ip + in.length;
    afterQuery = in.kind != SynthInsn.Kind.OTHER && in.kind != SynthInsn.Kind.JMP && in.kind != SynthInsn.Kind.CALL;
    if (in.kind == SynthInsn.Kind.SOFT_INT && region.contains(next - 1)) {
      // INT n, INT3, INTO: the processor sends FUP(CLIP) then the TIP, as for an interrupt taken
      // before the instruction, and decoders cannot tell the two apart; libipt reports an
      // interrupt there, without the instruction. (INTO traps only with OF set, which the walk
      // does not know: the helper's INTO comes after an add that sets it.) A disabling one,
      // FUP(CLIP) and TIP.PGD(), looks like the asynchronous disable made below.
      countFar(in);
      interrupt(in.far.startsWith("int3") ? 3 : in.far.startsWith("into") ? 4 : in.far.startsWith("int1") ? 1 : 0x80, true);
      return;
    }
    // Instructions the walk cannot follow (data, privileged or unusual transfers, code running
    // off the section): an interrupt takes the processor elsewhere first.
    if (in.kind == SynthInsn.Kind.STOP || !region.contains(next - 1) || !followable(in, next)) {
      interrupt();
      return;
    }
    instruction(ip);
    sincePacket++;
    switch (in.kind) {
      case OTHER -> ip = next;
      case JCC -> {
        boolean taken;
        if (!region.contains(in.target)) taken = false;
        else if (!region.contains(next)) taken = true;
        else taken = rnd.nextBoolean();
        tntBit(taken);
        ip = taken ? in.target : next;
      }
      case JMP -> {
        if (mayDisable(in.target) && !ambiguousDisable(in.target)) {
          lastDisableIp = in.target;
          syncDisable(in.target);
          return;
        }
        directSincePacket = true;
        ip = in.target;
      }
      case CALL -> {
        if (mayDisable(in.target) && !ambiguousDisable(in.target)) {
          lastDisableIp = in.target;
          syncDisable(in.target);
          return;
        }
        directSincePacket = true;
        if (in.target != next) push(next); // zero-length calls (get-IP idiom) are not on the hardware's stack
        ip = in.target;
      }
      case PTWRITE -> {
        ptw(in);
        ip = next;
      }
      case MOV_CR3 -> {
        flushTnt();
        if (o.cr3Disable > 0 && rnd.nextDouble() < o.cr3Disable) {
          // Into an address space the CR3 filter leaves out: ContextEn clears, so TIP.PGD has no
          // IP and no PIP comes (SDM: MOV to CR3, PacketEn 1 to 0). Decoders bind it to the write.
          tipPgd(-1, true);
          lastDisableIp = ip; // libipt 2.2: back at the write itself is "resumed", after it "enabled"
          event("[disabled]");
          reenableOrResume("mov cr3", next);
          return;
        }
        // A CR3 write: its PIP binds to it; decoders report the paging event after it.
        cr3 = CR3S[rnd.nextInt(CR3S.length)];
        pip(cr3);
        event("[paging, cr3: " + hex(cr3) + "]");
        ip = next;
      }
      case JMP_IND, CALL_IND -> {
        if (in.kind == SynthInsn.Kind.CALL_IND) push(next);
        long target = randomFunction(region);
        CodeCorpus.Region helpers = null;
        if (in.kind == SynthInsn.Kind.CALL_IND && o.ptwrite > 0 && rnd.nextDouble() < o.ptwrite) {
          helpers = helperRegion("synth-ptwrite", region.bits());
        }
        if (helpers == null && in.kind == SynthInsn.Kind.CALL_IND && o.far > 0 && rnd.nextDouble() < o.far) {
          helpers = helperRegion("synth-far", region.bits());
        }
        if (helpers == null && in.kind == SynthInsn.Kind.CALL_IND && o.newer > 0 && rnd.nextDouble() < o.newer) {
          helpers = helperRegion("synth-newer", region.bits());
        }
        if (helpers != null) {
          target = otherThanLastTip(helpers, randomFunction(helpers));
          if (!mayDisable(target)) {
            tip(0x0d, target);
            ip = target;
            region = helpers;
            return;
          }
          lastDisableIp = next;
          syncDisable(target);
          return;
        }
        if (mayDisable(target)) {
          lastDisableIp = in.kind == SynthInsn.Kind.CALL_IND ? next : 0;
          syncDisable(otherThanLastTip(region, target));
          return;
        }
        if (o.deferredTip > 0 && rnd.nextDouble() < o.deferredTip) {
          // The TIP waits for the TNT packet, which takes the bits of the branches that follow.
          flushDeferred();
          directSincePacket = false;
          deferred = true;
          deferredTarget = target;
          counted("deferred tip");
        } else {
          tip(0x0d, target);
        }
        ip = target;
      }
      case RET -> {
        if (stackSize > 0 && o.retCompression) {
          tntBit(true);
          afterRet = true;
          ip = pop();
          region = corpus.regionOf(ip);
        } else {
          long target = stackSize > 0 ? pop() : randomFunction(region);
          tip(0x0d, target);
          afterRet = true;
          ip = target;
          region = corpus.regionOf(ip);
        }
      }
      case FAR -> {
        // The near call stack stays as it is: far transfers neither push nor pop it.
        countFar(in);
        CodeCorpus.Region to = farDestination();
        long target = otherThanLastTip(to, randomFunction(to));
        if (o.farSwitch > 0 && rnd.nextDouble() < o.farSwitch) {
          farSwitch();
          return;
        }
        if (mayDisable()) {
          flushTnt();
          // Into a CPL that is not traced (ContextEn clears), TIP.PGD has no IP; out of the IP
          // filter's region it gives the target (SDM: far branch, PacketEn 1 to 0).
          boolean suppressed = rnd.nextBoolean() || target >= packetIp && target <= ip; // see packetIp
          tipPgd(target, suppressed);
          // libipt expects a far call (SYSCALL, SYSENTER, far CALL) to return to the next instruction.
          lastDisableIp = in.farCall() ? next : 0;
          event(suppressed ? "[disabled]" : "[disabled, ip: " + hex(target) + "]");
          reenableOrResume(in.farClass(), next);
          return;
        }
        if (o.eventTrace > 0 && in.far.startsWith("iret") && rnd.nextDouble() < o.eventTrace) {
          // Event trace: the IRET's CFE, with a FUP naming it or bound to its TIP; decoders
          // report it after the IRET.
          flushTnt();
          boolean withIp = rnd.nextBoolean();
          cfe(0x02, 0, withIp);
          if (withIp) fup(ip);
          counted("cfe iret" + (withIp ? " ip" : ""));
          tip(0x0d, target);
          event("[iret" + (withIp ? ", ip: " + hex(ip) : "") + "]");
        } else {
          tip(0x0d, target);
        }
        afterRet = in.farClass().equals("far return");
        region = to;
        ip = target;
      }
      default -> throw new IllegalStateException();
    }
  }

  /** Whether the walk can execute this instruction: its successors must be real code. */
  private boolean followable(SynthInsn in, long next) {
    return switch (in.kind) {
      case JMP, CALL -> region.contains(in.target);
      case JCC -> region.contains(in.target) || region.contains(next);
      case OTHER -> region.contains(next);
      default -> true;
    };
  }

  // ---- events -----------------------------------------------------------------------------

  private void interrupt() {
    interrupt(VECTORS[rnd.nextInt(VECTORS.length)], false);
  }

  private static final int[] VECTORS = {14, 13, 2, 32, 0xec, 6};

  /**
   * An interrupt (or exception) at the current IP: FUP + TIP into a handler, with PIP, VMCS and
   * MODE.Exec as they apply; with event trace its CFE (a software interrupt's for {@code soft})
   * and EVDs before the FUP.
   */
  private void interrupt(int vector, boolean soft) {
    flushTnt();
    long from = ip;
    boolean vmExitEt = o.vmcs > 0 && rnd.nextDouble() < o.vmcs;
    String cfeLine = null;
    if (o.eventTrace > 0 && rnd.nextDouble() < o.eventTrace && !(afterRet && sincePacket == 0)) {
      // The CFE comes with the interrupt's FUP, or (IP bit) has a FUP of its own first. (A
      // software interrupt's CFE with IP names the INT, which then takes a TIP as a far call:
      // ptt case evt-swintr-ip; not drawn here, where an INT is an interrupt before it.)
      boolean withIp = !soft && rnd.nextInt(3) == 0;
      String extra = "";
      int type;
      if (soft) {
        type = 0x0e;
        cfeLine = "swintr " + vector;
      } else if (vmExitEt) {
        long reason = rnd.nextInt(64), qual = rnd.nextLong() >>> rnd.nextInt(64);
        boolean r = rnd.nextBoolean(), qq = rnd.nextBoolean();
        if (qq) evd(1, qual);
        if (r) evd(2, reason);
        type = rnd.nextBoolean() ? 0x08 : 0x09;
        cfeLine = "vmexit" + (type == 0x09 ? ", intr: " + vector : "") + (r ? ", vmxr: " + hex(reason) : "") + (qq ? ", vmxq: " + hex(qual) : "");
      } else {
        type = 0x01;
        if (vector == 14 && rnd.nextBoolean()) {
          long cr2 = 0x7ffe_0000_0000L | (rnd.nextLong() & 0xffff_ffffL);
          evd(0, cr2);
          extra = ", cr2: " + hex(cr2);
        }
        cfeLine = "interrupt " + vector + extra;
      }
      cfe(type, vector, withIp);
      counted("cfe " + type + (withIp ? " ip" : ""));
      if (withIp) fup(from);
      cfeLine = "[" + cfeLine + ", ip: " + hex(from) + "]";
    }
    fup(from);
    if (cfeLine != null) event(cfeLine);
    CodeCorpus.Region to = corpus.regions.get(rnd.nextInt(corpus.regions.size()));
    long target = randomFunction(to);
    boolean paging = rnd.nextDouble() < o.pip;
    if (paging) {
      cr3 = CR3S[rnd.nextInt(CR3S.length)]; // a few processes, as in a real trace
      pip(cr3);
    }
    // A VM exit: the VMCS packet comes with the PIP; decoders report it first (libipt reorders).
    boolean vmExit = vmExitEt;
    if (vmExit) {
      vmcsBase = VMCS[rnd.nextInt(VMCS.length)];
      vmcs(vmcsBase);
    }
    boolean modeChange = to.bits() != region.bits();
    if (modeChange) {
      modeExec(to.bits());
      clearStack(); // returns never cross modes: the walk keeps one stack per mode stretch
    }
    tip(0x0d, target);
    event("[interrupt, from: " + hex(from) + ", to: " + hex(target) + "]");
    afterQuery = true;
    if (vmExit) event("[vmcs, base: " + hex(vmcsBase) + "]");
    if (paging) event("[paging, cr3: " + hex(cr3) + "]");
    if (modeChange) event("[exec mode: " + to.bits() + "-bit]");
    region = to;
    ip = target;
  }

  private void overflow() {
    flushTnt();
    // Packets for the next stretch of execution are lost: the processor resumes elsewhere.
    out.write(0x02, 0xf3);
    // Resume in code of the same mode: libipt keeps the mode across an overflow and ignores a
    // MODE.Exec between OVF and FUP.
    CodeCorpus.Region to;
    do {
      to = corpus.regions.get(rnd.nextInt(corpus.regions.size()));
    } while (to.bits() != region.bits());
    long target = randomFunction(to);
    clearStack();
    region = to;
    ip = target;
    // libipt forgets the last IP at an overflow: the FUP carries the whole IP.
    lastIp = 0;
    fup(target);
    event("[overflow, ip: " + hex(target) + "]");
    afterQuery = true;
  }

  private void asyncDisable() {
    flushTnt();
    fup(ip);
    boolean suppressed = rnd.nextBoolean();
    long into = randomFunction(region);
    tipPgd(into, suppressed);
    lastDisableIp = ip;
    event("[disabled, at: " + hex(ip) + (suppressed ? "" : ", ip: " + hex(into)) + "]");
    reenable();
  }

  private void syncDisable(long target) {
    flushTnt();

    tipPgd(target, false);
    event("[disabled, ip: " + hex(target) + "]");
    reenable();
  }

  /**
   * After a disable at a far transfer or CR3 write ({@code what}): tracing comes back at
   * {@code next} (resumed where libipt expects it after a far call or CR3 write, enabled
   * elsewhere after a far jump or return), or at a function start.
   */
  private void reenableOrResume(String what, long next) {
    if (o.resumeNext > 0 && region.contains(next) && rnd.nextDouble() < o.resumeNext) {
      resumedNext.merge(region.bits() + "-bit " + what, 1, Integer::sum);
      reenable(region, next);
    } else {
      reenable();
    }
  }

  /** Some time outside the filter, then tracing enables at a function start. */
  private void reenable() {
    reenable(null, 0);
  }

  /** Some time outside the filter, then tracing enables at {@code target} in {@code to} (null: a function start anywhere). */
  private void reenable(CodeCorpus.Region to, long target) {
    clearStack();
    if (rnd.nextBoolean()) timing();
    // While tracing is off, status packets are standalone: decoders report them at once.
    if (o.statusPip > 0 && rnd.nextDouble() < o.statusPip) {
      cr3 = CR3S[rnd.nextInt(CR3S.length)];
      pip(cr3);
      event("[paging, cr3: " + hex(cr3) + "]");
    }
    if (o.vmcs > 0 && rnd.nextDouble() < o.vmcs) {
      vmcsBase = VMCS[rnd.nextInt(VMCS.length)];
      vmcs(vmcsBase);
      event("[vmcs, base: " + hex(vmcsBase) + "]");
    }
    if (o.whileDisabled > 0 && rnd.nextDouble() < o.whileDisabled) whileDisabled();
    if (o.eventTrace > 0 && rnd.nextDouble() < o.eventTrace) disabledCfe();
    if (o.trig > 0 && rnd.nextDouble() < o.trig) {
      int trbv = 1 + rnd.nextInt(255);
      out.write(0xd9, 0, trbv);
      counted("trig off");
      event("[trig " + Integer.toHexString(trbv) + "]");
    }
    if (to == null) {
      to = corpus.regions.get(rnd.nextInt(corpus.regions.size()));
      target = randomFunction(to);
    }
    boolean modeChange = to.bits() != region.bits();
    if (modeChange) modeExec(to.bits());
    region = to;
    ip = target;
    pge();
    if (modeChange) event("[exec mode: " + to.bits() + "-bit]");
    afterQuery = true;
  }

  /**
   * Power, EXSTOP and TSX packets while tracing is off: standalone, reported without IP in packet
   * order, but a PWRE with the PWRX after it (libipt 2.2).
   */
  private void whileDisabled() {
    counted("while disabled");
    boolean pwre = rnd.nextBoolean(), exstop = rnd.nextBoolean(), pwrx = pwre || rnd.nextBoolean();
    // (A PWRE without its PWRX would wait for the next one, wherever: ptt case pwre-waits-for-pwrx.)
    if (pwre) out.write(0x02, 0x22, 0x00, 0x21); // PWRE C2.1
    if (exstop) {
      out.write(0x02, 0x62);
      event("[exstop]");
    }
    if (pwrx) {
      out.write(0x02, 0xa2, 0x22, 0x01, 0, 0, 0);
      if (pwre) event("[pwre: c2.1]");
      event("[pwrx: c2, c2, int]");
    }
    if (rnd.nextBoolean()) {
      inTx = !inTx;
      out.write(0x99, 0x20 | (inTx ? 1 : 0));
      event(inTx ? "[tsx: begin]" : "[tsx: commit]");
    }
  }

  /** CFEs while tracing is off: each stands alone, reported at once without IP. */
  private void disabledCfe() {
    switch (rnd.nextInt(4)) {
      case 0 -> {
        cfe(0x03, 0, false);
        event("[smi]");
        cfe(0x04, 0, false);
        event("[rsm]");
      }
      case 1 -> {
        cfe(0x06, 0, false);
        event("[init]");
        int v = rnd.nextInt(256);
        cfe(0x05, v, false);
        event("[sipi: " + Integer.toHexString(v) + "]");
      }
      case 2 -> {
        long cr2 = rnd.nextLong() & 0xffff_ffff_f000L;
        evd(0, cr2);
        cfe(0x01, 14, false);
        event("[interrupt 14, cr2: " + hex(cr2) + "]");
      }
      default -> {
        cfe(0x07, 0, false);
        event("[vmentry]");
      }
    }
    counted("cfe while disabled");
  }

  /**
   * A TRIG before the current instruction: with ICNT, the instructions since the last packet
   * (or TRIG) a decoder used; right after such a packet sometimes without ICNT, naming no
   * instruction. TNT bits still pending go out first: the TRIG follows them in the trace.
   */
  private void trig() {
    int trbv = 1 + rnd.nextInt(255);
    boolean mult = rnd.nextInt(4) == 0;
    int flags = mult ? 0x20 : 0;
    if (afterQuery && sincePacket == 0 && rnd.nextBoolean()) {
      flushTnt();
      out.write(0xd9, flags, trbv);
      counted("trig");
      event("[trig " + Integer.toHexString(trbv) + (mult ? ", mult" : "") + "]");
      return;
    }
    if (tntCount > 0 || !trigAnchor) return; // the bits would come after the TRIG; no clear anchor
    out.write(0xd9, flags | 0x40, trbv, sincePacket & 0xff, sincePacket >>> 8);
    counted("trig icnt");
    event("[trig " + Integer.toHexString(trbv) + (mult ? ", mult" : "") + ", ip: " + hex(ip) + "]");
    sincePacket = 0;
  }

  private void cfe(int type, int vector, boolean withIp) {
    trigAnchor = false;
    out.write(0x02, 0x13, type | (withIp ? 0x80 : 0), vector);
  }

  private void evd(int type, long payload) {
    out.write(0x02, 0x53, type);
    out.le(payload, 8);
  }

  private void pge() {
    tip(0x11, ip);
    event("[" + (ip == lastDisableIp ? "resumed" : "enabled") + ", ip: " + hex(ip) + "]");
  }

  private void tsx() {
    flushTnt();
    inTx = !inTx;
    out.write(0x99, 0x20 | (inTx ? 1 : 0));
    fup(ip);
    event(inTx ? "[tsx: begin]" : "[tsx: commit]");
  }

  /**
   * A transaction abort: MODE.TSX with the abort bit and a FUP at the current IP, then the TIP
   * to the abort handler (a function start here), like an interrupt.
   */
  private void tsxAbort() {
    flushTnt();
    inTx = false;
    out.write(0x99, 0x22);
    long from = ip;
    fup(from);
    long target = randomFunction(region);
    tip(0x0d, target);
    event("[tsx: abort]");
    event("[interrupt, from: " + hex(from) + ", to: " + hex(target) + "]");
    ip = target;
    afterQuery = true;
  }

  /** PTW for the PTWRITE instruction just walked, with a FUP at its IP or without. */
  private void ptw(SynthInsn in) {
    flushTnt();
    trigAnchor = false; // (where a TRIG's count starts after other events is not drawn)
    boolean wide = in.text.endsWith("8");
    boolean withIp = rnd.nextDouble() < o.ptwriteIp;
    long payload = wide ? rnd.nextLong() : rnd.nextInt() & 0xffffffffL;
    out.write(0x02, 0x12 | (wide ? 0x20 : 0) | (withIp ? 0x80 : 0));
    out.le(payload, wide ? 8 : 4);
    if (withIp) fup(ip);
    event("[ptwrite: " + Long.toHexString(payload) + "]");
  }

  /**
   * Execution stops at the current IP: EXSTOP alone, EXSTOP with a FUP, or an MWAIT into C1 (MWAIT,
   * PWRE, EXSTOP, FUP, then PWRX on wake). libipt reports the standalone PWRE first, then MWAIT and
   * EXSTOP, both bound to the FUP.
   */
  private void exstop() {
    flushTnt();
    trigAnchor = false;
    int k = rnd.nextInt(3);
    if (k == 0) {
      out.write(0x02, 0x62);
      event("[exstop]");
      return;
    }
    if (k == 2) {
      out.write(0x02, 0xc2, 0x01, 0, 0, 0, 0x01, 0, 0, 0); // MWAIT hints 1, extensions 1
      out.write(0x02, 0x22, 0x00, 0x10); // PWRE C1.0
      event("[mwait: 1, 1]");
    }
    out.write(0x02, 0xe2);
    fup(ip);
    event("[exstop, ip: " + hex(ip) + "]");
    if (k == 2) {
      // libipt 2.2 reports the PWRE after the MWAIT and EXSTOP the FUP completes.
      event("[pwre: c1.0]");
      out.write(0x02, 0xa2, 0x11, 0x01, 0, 0, 0); // PWRX last C1, deepest C1, woken by an interrupt
      event("[pwrx: c1, c1, int]");
    }
  }

  /**
   * A far transfer that switches: into code of the other mode (MODE.Exec before the TIP), or to
   * another address space (PIP before the TIP). Decoders report both after the transfer.
   */
  private void farSwitch() {
    flushTnt();
    CodeCorpus.Region to = region;
    for (CodeCorpus.Region r : corpus.regions) {
      if (r.bits() != region.bits() && rnd.nextBoolean()) to = r;
    }
    boolean paging = to == region || rnd.nextBoolean();
    if (paging) {
      cr3 = CR3S[rnd.nextInt(CR3S.length)];
      pip(cr3);
    }
    boolean modeChange = to.bits() != region.bits();
    if (modeChange) modeExec(to.bits());
    long target = randomFunction(to);
    tip(0x0d, target);
    if (paging) event("[paging, cr3: " + hex(cr3) + "]");
    if (modeChange) {
      event("[exec mode: " + to.bits() + "-bit]");
      clearStack();
    }
    region = to;
    ip = target;
  }

  private void power() {
    flushTnt();
    trigAnchor = false;
    out.write(0x02, 0x22, 0x00, 0x21); // PWRE C2.1
    event("[pwre: c2.1]");
    out.write(0x02, 0xa2, 0x22, 0x01, 0, 0, 0); // PWRX last C2, deepest C2, woken by an interrupt
    event("[pwrx: c2, c2, int]");
  }

  private void timing() {
    int k = rnd.nextInt(3);
    if (k == 0) {
      out.write(0x59, rnd.nextInt(256)); // MTC
    } else if (k == 1) {
      out.write(0x03 | (rnd.nextInt(32) << 3)); // CYC, one byte
    } else {
      tsc += 1 + rnd.nextInt(100_000);
      out.write(0x19);
      out.le(tsc, 7);
    }
  }

  private void psb(boolean withFup) {
    flushTnt();
    // Right after a TNT bit or TIP a decoder used, with nothing since (an OVF is visible there only).
    boolean atPacket = trigAnchor && sincePacket == 0;
    trigAnchor = false;
    lastPsb = out.size();
    for (int i = 0; i < 8; i++) out.write(0x02, 0x82);
    lastIp = 0;
    tsc += 1 + rnd.nextInt(100_000);
    out.write(0x19);
    out.le(tsc, 7);
    boolean paging = o.statusPip > 0 && rnd.nextDouble() < o.statusPip;
    boolean vmcs = o.vmcs > 0 && rnd.nextDouble() < o.vmcs;
    boolean modeFirst = (paging || vmcs) && rnd.nextBoolean();
    if (modeFirst) modeExec(region.bits());
    if (paging) pip(cr3);
    if (vmcs) vmcs(vmcsBase);
    if (!modeFirst) modeExec(region.bits());
    // Packets lost while the PSB+ was written: tracing resumes at its FUP, elsewhere.
    // (Only right after a packet a decoder used: see afterQuery.)
    boolean ovf = withFup && executed > 0 && atPacket && o.ovfInPsb > 0 && rnd.nextDouble() < o.ovfInPsb;
    if (ovf) {
      out.write(0x02, 0xf3);
      counted("ovf in psb");
      CodeCorpus.Region to;
      do {
        to = corpus.regions.get(rnd.nextInt(corpus.regions.size()));
      } while (to.bits() != region.bits());
      region = to;
      ip = randomFunction(to);
    }
    if (withFup) fup(ip);
    out.write(0x02, 0x23);
    clearStack();
    // The first PSB+, and one inside the trace, is a status update that decoders report where
    // its FUP binds (at once when tracing is off), in packet order.
    if (executed == 0 || withFup) {
      String mode = "[exec mode: " + region.bits() + "-bit]";
      if (modeFirst) event(mode);
      if (paging) event("[paging, cr3: " + hex(cr3) + "]");
      if (vmcs) event("[vmcs, base: " + hex(vmcsBase) + "]");
      if (!modeFirst) event(mode);
    }
    if (ovf) {
      event("[overflow, ip: " + hex(ip) + "]");
      afterQuery = true;
    }
  }

  // ---- packets ----------------------------------------------------------------------------

  private boolean mayDisable() {
    return !directSincePacket && rnd.nextDouble() < o.syncDisable;
  }

  /** {@link #mayDisable()} for a TIP.PGD that gives {@code target} (see {@link #packetIp}). */
  private boolean mayDisable(long target) {
    return mayDisable() && !(target >= packetIp && target <= ip);
  }

  private void tntBit(boolean taken) {
    directSincePacket = false;
    afterRet = false;
    sincePacket = 0;
    trigAnchor = true;
    tnt = tnt << 1 | (taken ? 1 : 0);
    tntCount++;
    int limit = o.tnt64 > 0 ? 47 : 6;
    if (tntCount == limit || tntCount == 6 && rnd.nextDouble() >= o.tnt64) flushTnt();
    if (deferred) directSincePacket = true; // a disable's TIP.PGD would come before the TIP
  }

  private void flushTnt() {
    flushTntBits();
    flushDeferred();
  }

  /** Writes a deferred TIP, after the TNT packet that took the bits behind it. */
  private void flushDeferred() {
    if (!deferred) return;
    deferred = false;
    // Decoders took this TIP at its branch, before the bits in front of it: where the walk is
    // relative to the last packet used does not change.
    int since = sincePacket;
    boolean anchor = trigAnchor, ret = afterRet;
    tip(0x0d, deferredTarget);
    sincePacket = since;
    trigAnchor = anchor;
    afterRet = ret;
  }

  private void flushTntBits() {
    if (tntCount == 0) return;
    if (tntCount <= 6 && rnd.nextDouble() >= o.tnt64) {
      out.write((int) (tnt << 1));
    } else {
      out.write(0x02, 0xa3);
      out.le(tnt, 6);
    }
    tnt = 1;
    tntCount = 0;
  }

  private void fup(long target) {
    tip(0x1d, target);
  }

  private void tipPgd(long target, boolean suppressed) {
    if (suppressed) out.write(0x01);
    else tip(0x01, target);
  }

  /** TIP-family packet with an IP compression chosen at random among the valid ones. */
  /*
   * A TIP.PGD right after a TIP to the same IP: libipt 2.2 (and iptq) end tracing where the
   * walk reaches that IP, right at the TIP's target (ptxed lists no instruction there), where
   * this synthesizer's truth, as 2.0.5, binds it to the next branch. The traces judged by 2.2
   * (o.newer > 0) leave that case out; the others stay as they were.
   */
  private boolean ambiguousDisable(long target) {
    return o.newer > 0 && target == lastTipTarget;
  }

  private long otherThanLastTip(CodeCorpus.Region r, long target) {
    for (int i = 0; o.newer > 0 && target == lastTipTarget && i < 8; i++) target = randomFunction(r);
    return target;
  }

  /** The IP of the last TIP written (-1 before any). */
  private long lastTipTarget = -1;

  private void tip(int opcode, long target) {
    lastTipTarget = target;
    directSincePacket = false;
    flushTnt();
    sincePacket = 0;
    afterRet = false;
    trigAnchor = opcode == 0x0d || opcode == 0x11;
    int[] valid = new int[5];
    int n = 0;
    if (target >>> 16 == lastIp >>> 16) valid[n++] = 1;
    if (target >>> 32 == lastIp >>> 32) valid[n++] = 2;
    if (target == (target << 16) >> 16) valid[n++] = 3;
    if (target >>> 48 == lastIp >>> 48) valid[n++] = 4;
    valid[n++] = 6;
    int ipb = valid[rnd.nextInt(n)];
    out.write(opcode | ipb << 5);
    out.le(target, switch (ipb) { case 1 -> 2; case 2 -> 4; case 3, 4 -> 6; default -> 8; });
    lastIp = target;
  }

  private void modeExec(int bits) {
    out.write(0x99, bits == 64 ? 0x01 : bits == 32 ? 0x02 : 0x00);
  }

  private void vmcs(long base) {
    out.write(0x02, 0xc8);
    out.le(base >>> 12, 5);
  }

  private void countFar(SynthInsn in) {
    farTransfers.merge(region.bits() + "-bit " + in.far, 1, Integer::sum);
  }

  /** The region of helpers (built from src/test/c/NAME.c) in this mode, or null when the corpus has none. */
  private CodeCorpus.Region helperRegion(String name, int bits) {
    for (CodeCorpus.Region r : corpus.regions) {
      if (r.bits() == bits && r.name().startsWith(name)) return r;
    }
    return null;
  }

  /**
   * Where a far transfer goes (without a mode switch): a function of the same region, as a
   * system call's handler would be, but out of the far-transfer helpers into any code of the
   * same mode, so that a walk that reaches them does not stay among them.
   */
  private CodeCorpus.Region farDestination() {
    if (!region.name().startsWith("synth-far")) return region;
    List<CodeCorpus.Region> same = new ArrayList<>();
    for (CodeCorpus.Region r : corpus.regions) if (r.bits() == region.bits()) same.add(r);
    return same.get(rnd.nextInt(same.size()));
  }

  private void pip(long cr3) {
    trigAnchor = false;
    out.write(0x02, 0x43);
    out.le((cr3 >>> 5) << 1, 6);
  }

  // ---- the walk ---------------------------------------------------------------------------

  /** APX instructions the walk went through, by {@link SynthInsn#text} ("rex2 jmpabs", ...). */
  final java.util.Map<String, Integer> apx = new java.util.TreeMap<>();

  private void instruction(long at) {
    executed++;
    if (region.name().startsWith("synth-newer")) {
      SynthInsn in = insns.get(region, at);
      if (in.apx()) apx.merge(in.text, 1, Integer::sum);
    }
    if (o.recordTruth) truth.add(hex(at));
  }

  private void event(String line) {
    if (o.recordTruth) truth.add(line);
  }

  private void push(long ret) {
    stack[stackTop] = ret;
    stackTop = (stackTop + 1) & 63;
    if (stackSize < 64) stackSize++;
  }

  private long pop() {
    stackTop = (stackTop - 1) & 63;
    stackSize--;
    return stack[stackTop];
  }

  private void clearStack() {
    stackSize = 0;
  }

  private void jumpToRandomFunction(CodeCorpus.Region r) {
    region = r != null ? r : corpus.regions.get(0);
    ip = randomFunction(region);
  }

  private long randomFunction(CodeCorpus.Region r) {
    long[] f = r.functions();
    if (f.length == 0) return r.address();
    if (o.hotFunctions > 0 && o.hotFunctions < f.length) {
      // A fixed, spread-out subset: function i * stride.
      int stride = f.length / o.hotFunctions;
      return f[rnd.nextInt(o.hotFunctions) * stride];
    }
    return f[rnd.nextInt(f.length)];
  }

  static String hex(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }

  /** A growable byte buffer with the little-endian writes packets need. */
  static final class Out extends ByteArrayOutputStream {
    void write(int... bytes) {
      for (int b : bytes) write(b);
    }

    void le(long v, int n) {
      for (int i = 0; i < n; i++) write((int) (v >>> (8 * i)) & 0xff);
    }
  }
}
