package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random packet streams (fixed seeds) → encode → decode → the same packets, and back to the same bytes. */
class PacketRoundTripTest {
  @Test
  void randomStreamsDecodeToTheGeneratedPackets() {
    Set<PacketKind> seen = EnumSet.noneOf(PacketKind.class);
    Set<Integer> ipBytesSeen = new java.util.TreeSet<>();
    for (long seed = 1; seed <= 60; seed++) {
      RandomTrace.Result t = RandomTrace.generate(seed, 3000, true);
      Decoded d = Decoded.of(t.bytes());
      assertEquals(java.util.List.of(), d.errors, "seed " + seed);
      assertEquals(0, d.skipped, "seed " + seed);
      assertEquals(t.packets().size(), d.packets.size(), "seed " + seed);
      for (int i = 0; i < t.packets().size(); i++) {
        assertEquals(t.packets().get(i), d.packets.get(i), "seed " + seed + " packet " + i + ": " + t.packets().get(i));
        seen.add(d.packets.get(i).kind);
        if (d.packets.get(i).kind.hasIp()) ipBytesSeen.add(d.packets.get(i).ipBytes);
      }
      // and back: encoding the decoded packets reproduces the bytes
      PacketEncoder enc = new PacketEncoder();
      for (Packet p : d.packets) enc.encode(p);
      assertArrayEquals(t.bytes(), enc.toByteArray(), "seed " + seed);
    }
    // INVALID only comes from a TMA with reserved bits under erratum SKZ84 (PacketDecoderTest)
    assertEquals(EnumSet.complementOf(EnumSet.of(PacketKind.INVALID)), seen, "every packet kind was generated");
    assertEquals(Set.of(0, 1, 2, 3, 4, 6), ipBytesSeen, "every IP compression was generated");
  }

  @Test
  void encoderPicksTheCheapestCompressionAndDecoderRestoresTheIp() {
    PacketEncoder e = new PacketEncoder();
    e.psb();
    long[] ips = {0xfffff80012345678L, 0xfffff8001234abcdL, 0xfffff800ffff0000L, 0x00007ff712340000L,
        0x12345678abcdef01L, 0x12345678abcd0000L, 0x1234ffffffffffffL};
    int[] expect = {3, 1, 2, 3, 6, 1, 4};
    for (int i = 0; i < ips.length; i++) {
      assertEquals(expect[i], e.bestIpBytes(ips[i]), "ip " + i);
      e.ip(PacketKind.TIP, ips[i]);
    }
    Decoded d = Decoded.of(e.toByteArray());
    assertEquals(ips.length + 1, d.packets.size());
    for (int i = 0; i < ips.length; i++) {
      assertEquals(ips[i], d.packets.get(i + 1).ip);
      assertEquals(expect[i], d.packets.get(i + 1).ipBytes);
    }
  }

  @Test
  void drainingKeepsLastIpAndOffsets() throws Exception {
    PacketEncoder e = new PacketEncoder();
    var out = new java.io.ByteArrayOutputStream();
    e.psb().ip(PacketKind.TIP, 0x7ff000001000L);
    e.drainTo(out);
    assertEquals(0, e.buffered());
    assertEquals(23, e.offset());
    e.ip(PacketKind.TIP, 0x7ff000001234L);
    assertTrue(e.buffered() == 3, "16-bit update after drain");
    e.drainTo(out);
    Decoded d = Decoded.of(out.toByteArray());
    assertEquals(0x7ff000001234L, d.packets.get(2).ip);
  }
}
