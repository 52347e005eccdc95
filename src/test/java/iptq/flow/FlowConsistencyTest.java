package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import iptq.pt.PacketDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-written traces over CrashWithException.exe's real code, each breaking one rule: the
 * decoder names the problem, after walking the same instructions as libipt up to it.
 * Code used (the .text mapped at 0x7ff640001000):
 * 7ff640001d38 sub rsp,0x28 / mov / cmp / 7ff640001d45 jne / ... 7ff640001d63 xor eax,eax /
 * add rsp,0x28 / 7ff640001d69 ret; 7ff640001fda jmp [rip+0x10f0].
 */
class FlowConsistencyTest {
  private final TraceSynthesizer.Out out = new TraceSynthesizer.Out();

  private void psbAt(long ip) {
    for (int i = 0; i < 8; i++) out.write(0x02, 0x82);
    out.write(0x99, 0x01);
    out.write(0xdd); // FUP, full IP
    out.le(ip, 8);
    out.write(0x02, 0x23);
  }

  private void tip(long ip) {
    out.write(0xcd);
    out.le(ip, 8);
  }

  private String firstErrorKind() throws Exception {
    byte[] trace = out.toByteArray();
    CodeCorpus c = Corpora.user64();
    List<String> kinds = new ArrayList<>();
    new FlowDecoder(new PacketDecoder(trace), c.image(), new FlowSink() {
      @Override
      public void error(long offset, long ip, String kind, String message, long skipped) {
        kinds.add(kind);
      }
    }).decode();
    List<String> libipt = FlowRunner.normalized(FlowRunner.libipt(trace, c.specs()));
    List<String> ours = FlowRunner.normalized(FlowRunner.iptq(trace, c.image()));
    // Both walk the same instructions up to the problem. (At the very end of a trace libipt
    // stays silent about a TIP or TNT that does not fit, where iptq names it.)
    int cut = Math.min(cut(libipt), cut(ours));
    assertNull(FlowRunner.firstDifference(libipt.subList(0, cut), ours.subList(0, cut)), "libipt (left) vs iptq (right)");
    return kinds.isEmpty() ? null : kinds.get(0);
  }

  private static int cut(List<String> lines) {
    int i = lines.indexOf("[error]");
    return i < 0 ? lines.size() : i;
  }

  @Test
  void compressedReturnWithNotTakenBit() throws Exception {
    psbAt(0x7ff640001d63L);
    out.write(0b0000_0100); // TNT-8: one bit, not taken
    assertEquals(FlowError.RET_NOT_TAKEN, firstErrorKind());
  }

  @Test
  void compressedReturnWithEmptyStack() throws Exception {
    psbAt(0x7ff640001d63L);
    out.write(0b0000_0110); // one bit, taken
    assertEquals(FlowError.RET_EMPTY_STACK, firstErrorKind());
  }

  @Test
  void conditionalBranchGetsATip() throws Exception {
    psbAt(0x7ff640001d38L);
    tip(0x7ff640001d38L);
    assertEquals(FlowError.TNT_NEEDED, firstErrorKind());
  }

  @Test
  void indirectJumpGetsATntBit() throws Exception {
    psbAt(0x7ff640001fdaL);
    out.write(0b0000_0110);
    assertEquals(FlowError.TIP_NEEDED, firstErrorKind());
  }

  @Test
  void indirectJumpIntoNoCode() throws Exception {
    psbAt(0x7ff640001fdaL);
    tip(0x10000L);
    out.write(0, 0, 0, 0);
    out.write(0b0000_0110); // trace for what comes next: the walk must go on to 0x10000
    assertEquals(FlowError.NO_CODE, firstErrorKind());
  }

  /** The trace ends with the TIP: the walk stops at its target, no error (libipt: end of trace). */
  @Test
  void traceEndingAtATipIsNoError() throws Exception {
    psbAt(0x7ff640001fdaL);
    tip(0x10000L);
    out.write(0, 0, 0, 0);
    assertNull(firstErrorKind());
  }

  /**
   * The trace is cut inside the packet after the TIP: libipt finds the end of the trace there, so
   * the walk stops at the TIP's target, missing code or not; iptq names the cut packet.
   */
  @Test
  void indirectJumpIntoNoCodeBeforeACutPacket() throws Exception {
    psbAt(0x7ff640001fdaL);
    tip(0x10000L);
    out.write(0xdd, 0x38, 0x1d); // a FUP cut short
    assertEquals(iptq.pt.DecodeError.TRUNCATED, firstErrorKind());
  }

  @Test
  void uncompressedReturnIsFine() throws Exception {
    psbAt(0x7ff640001d63L);
    tip(0x7ff640001d38L); // the return, by TIP
    out.write(0b0000_0110); // jne taken
    tip(0x7ff640001d38L); // the return again
    out.write(0xdd); // FUP at 7ff640001d38, then TIP.PGD: disabled there
    out.le(0x7ff640001d38L, 8);
    out.write(0x01);
    assertNull(firstErrorKind());
  }
}
