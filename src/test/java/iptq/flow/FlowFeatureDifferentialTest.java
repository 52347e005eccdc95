package iptq.flow;

import org.junit.jupiter.api.Test;

/**
 * The trace features the default mix leaves out, one group per test, over the extended corpus
 * (PTWRITE helpers and 32-bit code built with clang): libipt and iptq must both reproduce the
 * synthesizer's truth line by line, as in {@link FlowDifferentialTest}.
 */
class FlowFeatureDifferentialTest {
  private static void run(String what, int firstSeed, java.util.function.Consumer<TraceSynthesizer.Options> set) throws Exception {
    for (int seed = firstSeed; seed < firstSeed + 8; seed++) {
      TraceSynthesizer.Options o = new TraceSynthesizer.Options();
      o.seed = seed;
      o.instructions = 3000;
      set.accept(o);
      FlowDifferentialTest.check(what + " seed " + seed, Corpora.extended(), o);
    }
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
}
