package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The trace features the default mix leaves out, one group per test, over the extended corpus
 * (PTWRITE helpers and 32-bit code built with clang; far-transfer helpers besides for far
 * transfers): libipt and iptq must both reproduce the synthesizer's truth line by line, as in
 * {@link FlowDifferentialTest}.
 */
class FlowFeatureDifferentialTest {
  private static void run(String what, int firstSeed, Consumer<TraceSynthesizer.Options> set) throws Exception {
    run(what, firstSeed, Corpora.extended(), 3000, set);
  }

  /** Eight traces from {@code firstSeed}, each checked as in FlowDifferentialTest; their synthesizers, for what they counted. */
  private static List<TraceSynthesizer> run(String what, int firstSeed, CodeCorpus corpus, int instructions,
      Consumer<TraceSynthesizer.Options> set) throws Exception {
    List<TraceSynthesizer> traces = new ArrayList<>();
    for (int seed = firstSeed; seed < firstSeed + 8; seed++) {
      TraceSynthesizer.Options o = new TraceSynthesizer.Options();
      o.seed = seed;
      o.instructions = instructions;
      set.accept(o);
      traces.add(FlowDifferentialTest.check(what + " seed " + seed, corpus, o));
    }
    return traces;
  }

  /**
   * Fails unless each of {@code expected} was counted in one of the traces: a seed mix that
   * missed one would check nothing about it.
   */
  private static void assertEachOccurred(List<String> expected, List<TraceSynthesizer> traces,
      Function<TraceSynthesizer, Map<String, Integer>> counts, String never) {
    Map<String, Integer> all = new TreeMap<>();
    for (TraceSynthesizer s : traces) counts.apply(s).forEach((k, n) -> all.merge(k, n, Integer::sum));
    for (String f : expected) assertTrue(all.containsKey(f), f + " " + never + "; counted: " + all);
  }

  /** PTW packets for real PTWRITE instructions, without IP and with a FUP at the instruction. */
  @Test
  void ptwrite() throws Exception {
    run("ptwrite", 5000, o -> o.ptwrite = 0.3);
  }

  /**
   * VMCS with VM exits, in PSB+ and while tracing is off; PIP in PSB+ (before or after MODE.Exec)
   * and while off (PIPs at the helpers' CR3 write come with every feature here).
   */
  @Test
  void vmcsAndPip() throws Exception {
    run("vmcs", 5100, o -> { o.vmcs = 0.5; o.statusPip = 0.5; o.interrupt = 0.005; o.psbPeriod = 512; });
  }

  /** EXSTOP with and without IP, MWAIT with its PWRE/EXSTOP/FUP/PWRX, MNT. */
  @Test
  void powerAndMaintenance() throws Exception {
    run("exstop", 5200, o -> { o.exstop = 0.005; o.mnt = 0.002; o.power = 0.002; });
  }

  /** Transactions that abort to a handler, beside begins and commits. */
  @Test
  void tsxAbort() throws Exception {
    run("tsx", 5300, o -> { o.tsx = 0.01; o.tsxAbort = 0.5; });
  }

  /** Far transfers into code of the other mode (MODE.Exec) or another address space (PIP). */
  @Test
  void farSwitches() throws Exception {
    run("far", 5400, o -> o.farSwitch = 0.5);
  }

  /** Every far transfer the helpers in src/test/c/synth-far.c hold, in the modes they are built for. */
  private static final List<String> FAR_TRANSFERS = List.of(
      "64-bit ljmp m16:32", "64-bit ljmp m16:64", "64-bit lcall m16:32", "64-bit lcall m16:64",
      "64-bit lret", "64-bit lret imm16", "64-bit lretq", "64-bit lretq imm16", "64-bit iretq",
      "64-bit iretl", "64-bit sysretq", "64-bit sysretl", "64-bit int n", "64-bit int3",
      "32-bit ljmp m16:32", "32-bit lcall m16:32", "32-bit lret", "32-bit lret imm16", "32-bit iretl",
      "32-bit int n", "32-bit int3", "32-bit into",
      // 16-bit operands (66), direct far JMP/CALL, SYSENTER/SYSEXIT, INT1
      "64-bit ljmp m16:16", "64-bit lcall m16:16", "64-bit lretw", "64-bit lretw imm16", "64-bit iretw",
      "64-bit sysenter", "64-bit sysexitl", "64-bit sysexitq", "64-bit int1",
      "32-bit ljmp ptr16:32", "32-bit lcall ptr16:32", "32-bit ljmp ptr16:16", "32-bit lcall ptr16:16",
      "32-bit ljmp m16:16", "32-bit lcall m16:16", "32-bit lretw", "32-bit lretw imm16", "32-bit iretw",
      "32-bit sysenter", "32-bit sysexit", "32-bit int1");

  /**
   * Far JMP and CALL through memory (m16:16 with 66, m16:32, m16:64 with REX.W) and direct
   * (ptr16:16, ptr16:32), far RET with and without an immediate, IRET, SYSRET, SYSENTER, SYSEXIT
   * (TIPs, some switching mode or address space, some disabling) and INT n, INT3, INTO, INT1 (FUP
   * and TIP, as an interrupt), reached by indirect calls into helpers built for them. Each must
   * have been taken across the seeds: a seed mix that missed one would check nothing about it
   * (at 3,000 instructions a seed, one of the 43 was missed).
   */
  @Test
  void farTransfers() throws Exception {
    List<TraceSynthesizer> traces = run("far transfers", 5500, Corpora.farTransfers(), 8000, o -> {
      o.far = 0.5;
      o.farSwitch = 0.2;
      o.syncDisable = 0.2; // so that the helpers' transfers disable tracing too, with and without IP
    });
    assertEachOccurred(FAR_TRANSFERS, traces, s -> s.farTransfers, "never taken");
  }

  /** Of each of libipt's far classes, in both modes, a disable followed by tracing coming back at the next instruction. */
  private static final List<String> FAR_RESUMES = List.of(
      "64-bit far call", "64-bit far jump", "64-bit far return", "32-bit far call", "32-bit far jump", "32-bit far return");

  /**
   * Far transfers of the helpers that disable tracing, with tracing coming back right at the next
   * instruction: "resumed" after a far call (where what it called returns to, as libipt expects),
   * "enabled" after a far jump or return. Each class must have occurred in both modes.
   */
  @Test
  void resumeAfterFarTransfer() throws Exception {
    List<TraceSynthesizer> traces = run("far resume", 5600, Corpora.farTransfers(), 8000, o -> {
      o.far = 0.5;
      o.syncDisable = 0.3;
      o.resumeNext = 0.5;
    });
    assertEachOccurred(FAR_RESUMES, traces, s -> s.resumedNext, "never resumed at the next instruction");
  }

  /**
   * CR3 writes (the PTWRITE helpers' MOV to CR3) into an address space that is not traced:
   * TIP.PGD without IP and without PIP, which decoders bind to the write, then tracing resumed
   * right after it or enabled elsewhere. Must have resumed after a write in both modes.
   */
  @Test
  void cr3WriteDisables() throws Exception {
    List<TraceSynthesizer> traces = run("cr3 disable", 5700, Corpora.extended(), 3000, o -> {
      o.ptwrite = 0.3;
      o.cr3Disable = 0.5;
      o.resumeNext = 0.5;
    });
    assertEachOccurred(List.of("64-bit mov cr3", "32-bit mov cr3"), traces, s -> s.resumedNext,
        "never resumed at the next instruction");
  }

  /** What only libipt 2.2 decodes, each of which must have been drawn across the seeds. */
  private static final List<String> ONLY_22 = List.of("deferred tip", "ovf in psb", "while disabled", "cfe 1", "cfe 1 ip",
      "cfe 8", "cfe 9", "cfe 14", "cfe iret", "cfe iret ip", "cfe while disabled", "trig", "trig icnt", "trig off");

  /**
   * Deferred TIPs, OVF inside PSB+, power/EXSTOP/TSX events while tracing is off, event trace
   * (CFE with EVD at interrupts, VM exits, software interrupts and IRETs of the far-transfer
   * helpers, CFEs while off) and TRIG with and without ICNT, over the far-transfer corpus:
   * judged by ptxed 2.2 byte for byte (libipt 2.0.5 predates them).
   */
  @Test
  void onlyLibipt22() throws Exception {
    List<TraceSynthesizer> traces = run("2.2 only", 5800, Corpora.farTransfers(), 4000, o -> {
      o.far = 0.3;
      o.interrupt = 0.004;
      o.vmcs = 0.3;
      o.syncDisable = 0.1;
      o.psbPeriod = 512;
      o.deferredTip = 0.3;
      o.ovfInPsb = 0.3;
      o.whileDisabled = 0.5;
      o.eventTrace = 0.7;
      o.trig = 0.005;
    });
    assertEachOccurred(ONLY_22, traces, s -> s.eventTraceCounts, "never drawn");
  }

  /** The FRED and user-interrupt returns of src/test/c/synth-newer.c, far returns. */
  private static final List<String> NEWER_FAR = List.of("64-bit eretu", "64-bit erets", "64-bit uiret");
  /** Its APX instructions, as the synthesizer names them. */
  private static final List<String> NEWER_APX = List.of("rex2 01", "rex2 89", "rex2 mov imm", "rex2 map1 af",
      "rex2 jmpabs", "rex2 jmp", "rex2 call");

  /**
   * FRED's ERETU and ERETS, UIRET (far returns: a TIP, some switching mode or address space, some
   * disabling tracing with or without IP) and APX code (REX2 on ordinary instructions of both
   * maps, on indirect jumps and calls, and JMPABS, which takes its target from a TIP), reached by
   * indirect calls into helpers built for them, among the usual mix: 200 traces, with libipt
   * 2.2's ptxed as the judge of the instructions (2.0.5 predates all of them) and the truth of
   * every line for iptq. Each instruction must have been walked.
   */
  @Test
  void fredUintrAndApx() throws Exception {
    List<TraceSynthesizer> traces = new ArrayList<>();
    for (int seed = 5800; seed < 6000; seed++) {
      TraceSynthesizer.Options o = FlowDifferentialTest.variant(seed);
      o.instructions = 1500;
      o.newer = 0.3;
      // The 2.2-only trace features have their own test (onlyLibipt22); not mixed in here.
      o.deferredTip = o.ovfInPsb = o.whileDisabled = o.eventTrace = o.trig = 0;
      o.farSwitch = seed % 2 == 0 ? 0.2 : 0.0;
      o.syncDisable = seed % 3 == 0 ? 0.2 : o.syncDisable;
      traces.add(FlowDifferentialTest.check22("newer seed " + seed, Corpora.newer(), o));
    }
    assertEachOccurred(NEWER_FAR, traces, s -> s.farTransfers, "never taken");
    assertEachOccurred(NEWER_APX, traces, s -> s.apx, "never walked");
    Map<String, Integer> far = new TreeMap<>(), apx = new TreeMap<>();
    for (TraceSynthesizer s : traces) {
      s.farTransfers.forEach((k, n) -> { if (NEWER_FAR.contains(k)) far.merge(k, n, Integer::sum); });
      s.apx.forEach((k, n) -> apx.merge(k, n, Integer::sum));
    }
    System.out.println("fred/uintr/apx over " + traces.size() + " traces, judged by libipt 2.2: " + far + " " + apx);
  }
}
