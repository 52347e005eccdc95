package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.pt.PacketDecoder;
import org.junit.jupiter.api.Test;

/** The query layer on its own, over hand-encoded packet sequences. */
class QueryDecoderTest {
  private final TraceSynthesizer.Out out = new TraceSynthesizer.Out();

  private void psb() {
    for (int i = 0; i < 8; i++) out.write(0x02, 0x82);
  }

  private QueryDecoder decoder() {
    return new QueryDecoder(new PacketDecoder(out.toByteArray()));
  }

  @Test
  void psbStatusTntTipAndInterrupt() {
    psb();
    out.write(0x99, 0x01); // MODE.Exec 64-bit
    out.write(0x02, 0x43);
    out.le((0x1aa000L >>> 5) << 1, 6); // PIP
    out.write(0x7d); // FUP, IPBytes 3 (48-bit sign-extended)
    out.le(0x00007f0012345678L, 6);
    out.write(0x02, 0x23); // PSBEND
    out.write(0x19); // TSC
    out.le(0x123456, 7);
    out.write(0b0001_1010); // TNT-8: stop bit, then 1, 0, 1
    out.write(0x2d); // TIP, IPBytes 1: low 16 bits replaced
    out.le(0x9abc, 2);
    out.write(0x5d); // FUP, IPBytes 2
    out.le(0x12340000L, 4);
    out.write(0x02, 0x43);
    out.le((0x7000L >>> 5) << 1 | 1, 6); // PIP with NR
    out.write(0x99, 0x02); // MODE.Exec 32-bit
    out.write(0xcd); // TIP, IPBytes 6 (full)
    out.le(0xfffff80000001000L, 8);

    QueryDecoder q = decoder();
    assertEquals(QueryDecoder.Item.PSB, q.peek());
    assertEquals(0x00007f0012345678L, q.psbIp);
    assertEquals(64, q.psbModeBits);
    assertEquals(0x1aa000L, q.psbPaging);
    q.take();
    assertEquals(QueryDecoder.Item.TNT, q.peek());
    assertEquals(0x123456, q.tsc);
    assertTrue(q.takeTnt());
    assertFalse(q.takeTnt());
    assertTrue(q.takeTnt());
    assertEquals(QueryDecoder.Item.TIP, q.peek());
    assertEquals(0x00007f0012349abcL, q.tipIp);
    q.takeTip();
    assertEquals(QueryDecoder.Item.EVENT, q.peek());
    assertEquals(FlowEventKind.INTERRUPT, q.evKind);
    assertTrue(q.evBound);
    assertEquals(0x00007f0012340000L, q.evIp);
    assertEquals(0xfffff80000001000L, q.evTarget);
    assertEquals(0x7000L | 1, q.evPaging);
    assertEquals(32, q.evModeBits);
    q.take();
    assertEquals(QueryDecoder.Item.END, q.peek());
  }

  @Test
  void overflowResetsLastIpAndDisablesAndEnables() {
    psb();
    out.write(0x99, 0x01);
    out.write(0x02, 0x23);
    out.write(0xd1); // TIP.PGE full
    out.le(0xfffff80000002000L, 8);
    out.write(0x02, 0xf3); // OVF
    out.write(0x9d); // FUP IPBytes 4: bits 47:0 over the last IP, which OVF reset to 0
    out.le(0x7f0000001000L, 6);
    out.write(0x01); // TIP.PGD suppressed
    out.write(0x99, 0x20 | 1); // MODE.TSX begin, while tracing is off: no FUP binds it
    out.write(0x02, 0x22, 0x00, 0x21); // PWRE
    out.write(0x02, 0xa2, 0x22, 0x01, 0, 0, 0); // PWRX: libipt 2.2 gives the PWRE with it

    QueryDecoder q = decoder();
    assertEquals(QueryDecoder.Item.PSB, q.peek());
    assertEquals(FlowSink.NO_IP, q.psbIp);
    q.take();
    assertEquals(QueryDecoder.Item.EVENT, q.peek());
    assertEquals(FlowEventKind.ENABLED, q.evKind);
    assertEquals(0xfffff80000002000L, q.evIp);
    q.take();
    assertEquals(FlowEventKind.OVERFLOW, q.peek() == QueryDecoder.Item.EVENT ? q.evKind : null);
    assertEquals(0x00007f0000001000L, q.evIp);
    q.take();
    q.peek();
    assertEquals(FlowEventKind.DISABLED, q.evKind);
    assertFalse(q.evAsync);
    assertEquals(FlowSink.NO_IP, q.evTarget);
    q.take();
    q.peek();
    assertEquals(FlowEventKind.TSX, q.evKind);
    assertEquals(1, q.evPayload);
    assertEquals(FlowSink.NO_IP, q.evIp);
    assertFalse(q.evBound);
    q.take();
    q.peek();
    assertEquals(FlowEventKind.PWRE, q.evKind);
    assertEquals(0x201, q.evPayload); // C2.1
    q.take();
    q.peek();
    assertEquals(FlowEventKind.PWRX, q.evKind);
    q.take();
    assertEquals(QueryDecoder.Item.END, q.peek());
  }

  @Test
  void brokenFupSequenceIsAnErrorAndResyncSkipsToThePsb() {
    psb();
    out.write(0x99, 0x01);
    out.write(0x02, 0x23);
    out.write(0x5d); // FUP
    out.le(0x1000, 4);
    out.write(0b0000_0110); // TNT where the FUP's TIP belongs
    out.write(0, 0, 0);
    int psbAt = out.size();
    psb();
    out.write(0x02, 0x23);

    QueryDecoder q = decoder();
    q.peek();
    q.take();
    assertEquals(QueryDecoder.Item.ERROR, q.peek());
    assertEquals(FlowError.BAD_SEQUENCE, q.errKind);
    assertTrue(q.errInSequence);
    long skipped = q.resync();
    assertTrue(skipped >= 0 && skipped <= 4, "skipped " + skipped);
    assertEquals(QueryDecoder.Item.PSB, q.peek());
    assertEquals(psbAt, q.psbOffset);
  }
}
