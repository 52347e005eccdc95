package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time estimates worked out by hand from the SDM's definitions. */
class PacketClockTest {
  static List<Long> times(PacketClock clock, PacketEncoder e) {
    List<Long> out = new ArrayList<>();
    for (Packet p : Decoded.of(e.toByteArray()).packets) {
      clock.update(p);
      out.add(clock.tsc());
    }
    return out;
  }

  @Test
  void unknownBeforeTheFirstTsc() {
    PacketEncoder e = new PacketEncoder().psb().psbend().tnt(2, 3).tsc(5000).tnt(1, 1);
    assertEquals(List.of(-1L, -1L, -1L, 5000L, 5000L), times(new PacketClock(), e));
  }

  @Test
  void mtcAdvancesByCtcTicksTimesTheCpuidRatio() {
    // MTCFreq 3: MTC payload p means CTC bits 10:3 = p. Ratio EBX/EAX = 5/2 TSC ticks per CTC tick.
    // TSC 1000, TMA ctc=0x10 fc=4: the CTC reached 0x10 at TSC 996.
    // MTC 0x03 -> CTC 0x18: 8 ticks -> 996 + 20 = 1016.
    // MTC 0x04 -> CTC 0x20: 8 ticks -> 1036.
    // MTC 0xff -> CTC 0x7f8: 0x7d8 = 2008 ticks -> 1036 + 5020 = 6056.
    // MTC 0x00 -> CTC 0x000 (wrap at 2^11): 8 ticks -> 6076.
    PacketEncoder e = new PacketEncoder().psb().tsc(1000).tma(0x10, 4).psbend()
        .mtc(0x03).mtc(0x04).mtc(0xff).mtc(0x00);
    PacketClock c = new PacketClock(new PacketClock.Config(3, 2, 5, 0));
    assertEquals(List.of(-1L, 1000L, 1000L, 1000L, 1016L, 1036L, 6056L, 6076L), times(c, e));
  }

  @Test
  void mtcWithoutRatioOrTmaDoesNotMoveTime() {
    PacketEncoder e = new PacketEncoder().psb().tsc(1000).psbend().mtc(0x03);
    assertEquals(List.of(-1L, 1000L, 1000L, 1000L), times(new PacketClock(new PacketClock.Config(3, 2, 5, 0)), e));
    PacketEncoder f = new PacketEncoder().psb().tsc(1000).tma(0, 0).psbend().mtc(0x03);
    assertEquals(List.of(-1L, 1000L, 1000L, 1000L, 1000L), times(new PacketClock(), f));
  }

  @Test
  void calibratesTheCtcRatioFromTwoPsbsWithoutCpuid() {
    // TSC 1000 / TMA ctc 0: CTC tick 0 at TSC 1000. Four MTCs (MTCFreq 3) count 32 CTC ticks.
    // Next PSB+: TSC 1325, TMA ctc 0x22 fc 5: CTC 0x22 at TSC 1320, 2 ticks after the last MTC
    // (0x20), so 34 CTC ticks took 320 TSC ticks.
    // Then MTC 5 -> CTC 0x28: 6 ticks * 320/34 = 56.47 -> 1320 + 56 = 1376.
    PacketEncoder e = new PacketEncoder().psb().tsc(1000).tma(0, 0).psbend()
        .mtc(1).mtc(2).mtc(3).mtc(4)
        .psb().tsc(1325).tma(0x22, 5).psbend().mtc(5);
    PacketClock c = new PacketClock(new PacketClock.Config(3, 0, 0, 0));
    assertEquals(List.of(-1L, 1000L, 1000L, 1000L, 1000L, 1000L, 1000L, 1000L,
        1000L, 1325L, 1325L, 1325L, 1376L), times(c, e));
    assertEquals(true, c.calibrated());
    assertEquals(320.0 / 34, c.ratio(), 1e-12);
  }

  @Test
  void givenCpuidRatioIsNotReplacedByCalibration() {
    PacketEncoder e = new PacketEncoder().psb().tsc(1000).tma(0, 0).psbend().mtc(1)
        .psb().tsc(9999).tma(0x08, 0).psbend().mtc(2);
    PacketClock c = new PacketClock(new PacketClock.Config(3, 1, 2, 0));
    List<Long> t = times(c, e);
    assertEquals(10015L, t.get(t.size() - 1)); // 8 ticks * 2 after the CTC tick at 9999
    assertEquals(false, c.calibrated());
  }

  @Test
  void fractionalRatiosDoNotDrift() {
    // Ratio 1/3: each MTC at MTCFreq 0 is one CTC tick = 1/3 TSC tick; three MTCs make one tick.
    PacketEncoder e = new PacketEncoder().psb().tsc(100).tma(0, 0).psbend().mtc(1).mtc(2).mtc(3).mtc(4).mtc(5).mtc(6);
    assertEquals(List.of(-1L, 100L, 100L, 100L, 100L, 100L, 101L, 101L, 101L, 102L),
        times(new PacketClock(new PacketClock.Config(0, 3, 1, 0)), e));
  }

  @Test
  void cycUsesNominalOverCbr() {
    // Nominal ratio 40 (4.0 GHz TSC), CBR 20 (2.0 GHz core): one core cycle = 2 TSC ticks.
    // TSC 500; CYC 5 -> 510; CBR 30 -> 4/3 tick per cycle; CYC 3 -> 514; CYC 1 -> 515 (4/3 rounds, remainder kept)
    PacketEncoder e = new PacketEncoder().psb().tsc(500).cbr(20).psbend().cyc(5).cbr(30).cyc(3).cyc(1).cyc(2);
    assertEquals(List.of(-1L, 500L, 500L, 500L, 510L, 510L, 514L, 515L, 518L),
        times(new PacketClock(new PacketClock.Config(3, 0, 0, 40)), e));
  }

  @Test
  void newTscResetsAndKeepsUpperBits() {
    PacketClock c = new PacketClock();
    Packet p = new Packet();
    p.kind = PacketKind.TSC;
    p.payload = (1L << 56) - 1;
    c.update(p);
    assertEquals((1L << 56) - 1, c.tsc());
    p.payload = 7;
    c.update(p);
    assertEquals(7, c.tsc());
  }
}
