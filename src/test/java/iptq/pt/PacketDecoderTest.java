package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-computed decodes: bytes written out by hand, values worked out from the SDM's layouts. */
class PacketDecoderTest {
  @TempDir Path dir;

  static final int[] PSB = {2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82};

  static byte[] bytes(int[]... parts) {
    int n = 0;
    for (int[] p : parts) n += p.length;
    byte[] b = new byte[n];
    int i = 0;
    for (int[] p : parts) for (int x : p) b[i++] = (byte) x;
    return b;
  }

  @Test
  void tntBitsAreInBranchOrder() {
    // 0x1a = 0b0001_1010: payload bits 7:1 = 0b0001101, stop bit at 3 -> branches 1,0,1
    Decoded d = Decoded.of(bytes(PSB, new int[] {0x1a, 0x02, 0xa3, 0x03, 0, 0, 0, 0, 0}));
    Packet t = d.packets.get(1);
    assertEquals(PacketKind.TNT_8, t.kind);
    assertEquals(3, t.tntCount);
    assertEquals(0b101, t.tntBits);
    assertTrue(t.taken(0));
    assertFalse(t.taken(1));
    assertTrue(t.taken(2));
    assertEquals("0000000000000010  tnt.8      !.!", t.toString());
    Packet l = d.packets.get(2); // payload 0x03: stop bit 1, one branch, taken
    assertEquals(PacketKind.TNT_64, l.kind);
    assertEquals(1, l.tntCount);
    assertEquals(1, l.tntBits);
  }

  @Test
  void ipCompressionByHand() {
    byte[] trace = bytes(PSB,
        new int[] {0xdd, 0x78, 0x56, 0x34, 0x12, 0x00, 0xf8, 0xff, 0xff}, // FUP ipc 6: fffff80012345678
        new int[] {0x2d, 0xcd, 0xab}, // TIP ipc 1: ....abcd
        new int[] {0x4d, 0x00, 0x00, 0x99, 0x99}, // TIP ipc 2: ....99990000
        new int[] {0x0d}, // TIP suppressed
        new int[] {0x6d, 0x00, 0x10, 0x00, 0x00, 0x00, 0x80}, // TIP ipc 3: sign-extended 800000001000
        new int[] {0x8d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}, // TIP ipc 4: ffff000000000001
        new int[] {0xad, 1, 2, 3, 4, 5, 6, 7, 8}, // ipc 5: reserved
        PSB, new int[] {0x31, 0x34, 0x12}); // after a PSB the last IP is 0: TIP.PGE ipc1 -> 0x1234
    Decoded d = Decoded.of(trace);
    List<Packet> p = d.packets;
    assertEquals(0xfffff80012345678L, p.get(1).ip);
    assertEquals(0xfffff8001234abcdL, p.get(2).ip);
    assertEquals(0xabcdL, p.get(2).payload);
    assertEquals(0xfffff80099990000L, p.get(3).ip);
    assertTrue(p.get(4).ipSuppressed);
    assertEquals(0xffff800000001000L, p.get(5).ip);
    assertEquals(0xffff000000000001L, p.get(6).ip, "update-48 keeps bits 63:48 of the last IP");
    assertEquals(1, d.errors.size());
    DecodeError e = d.errors.get(0);
    assertEquals(DecodeError.RESERVED_IPBYTES, e.kind());
    assertEquals(16 + 9 + 3 + 5 + 1 + 7 + 7, e.offset());
    assertEquals(PacketKind.PSB, p.get(7).kind);
    assertEquals(PacketKind.TIP_PGE, p.get(8).kind);
    assertEquals(0x1234L, p.get(8).ip);
    assertEquals(9, d.skipped, "the reserved packet's 9 bytes were skipped");
    assertEquals("0000000000000010  fup        6: fffff80012345678", p.get(1).toString());
    assertEquals("0000000000000019  tip        1: ????????????abcd", p.get(2).toString());
    assertEquals("000000000000001c  tip        2: ????????99990000", p.get(3).toString());
    assertEquals("0000000000000021  tip        0: ????????????????", p.get(4).toString());
    assertEquals("0000000000000022  tip        3: ffff800000001000", p.get(5).toString());
    assertEquals("0000000000000029  tip        4: ????000000000001", p.get(6).toString());
  }

  @Test
  void newerPacketsCfeEvdTrig() {
    byte[] trace = bytes(PSB,
        new int[] {0x02, 0x13, 0x85, 0x0e}, // CFE: IP bit, type 5, vector 14
        new int[] {0x02, 0x53, 0x01, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, // EVD type 1
        new int[] {0xd9, 0x80, 0x07}, // TRIG: IP, TRBV 7
        new int[] {0xd9, 0x40, 0x01, 0x34, 0x12}); // TRIG: ICNTV, TRBV 1, ICNT 0x1234
    List<Packet> p = Decoded.of(trace).packets;
    assertEquals(PacketKind.CFE, p.get(1).kind);
    assertEquals(5, p.get(1).cfeType());
    assertTrue(p.get(1).cfeIp());
    assertEquals(14, p.get(1).payload2);
    assertEquals(PacketKind.EVD, p.get(2).kind);
    assertEquals(1, p.get(2).payload);
    assertEquals(0x1122334455667788L, p.get(2).payload2);
    assertEquals(11, p.get(2).size);
    assertEquals(PacketKind.TRIG, p.get(3).kind);
    assertEquals(3, p.get(3).size);
    assertEquals(7, p.get(3).payload2);
    assertEquals(5, p.get(4).size);
    assertEquals(1 | 0x1234 << 8, p.get(4).payload2);
    assertEquals(5, p.size());
  }

  /** SKZ84: a TMA with reserved bits is an error by the spec, an 8-byte INVALID packet with the erratum. */
  @Test
  void corruptedTmaUnderSkz84() {
    byte[] t = new PacketEncoder().psb().psbend().raw(0x02, 0x73, 0x01, 0x02, 0x04, 0xff, 0x01, 0x83).tnt(2, 1)
        .psb().toByteArray();
    Decoded spec = Decoded.of(t);
    assertEquals(DecodeError.BAD_PACKET, spec.errors.get(0).kind());
    assertEquals(0x12, spec.errors.get(0).offset());
    assertEquals(PacketKind.PSB, spec.packets.get(2).kind); // resynchronised at the next PSB

    Decoded skz = Decoded.of(new PacketDecoder(t).errata(Errata.of(Errata.Cpu.parse("6/85"))));
    assertEquals(List.of(), skz.errors);
    Packet bad = skz.packets.get(2);
    assertEquals(PacketKind.INVALID, bad.kind);
    assertEquals(0x12, bad.offset);
    assertEquals(8, bad.size); // libipt 2.2 counts the byte after the TMA into it
    assertEquals(PacketKind.TNT_8, skz.packets.get(3).kind);
    assertEquals(0x1a, skz.packets.get(3).offset);
    PacketEncoder again = new PacketEncoder();
    for (Packet q : skz.packets) again.encode(q);
    assertArrayEquals(t, again.toByteArray());
    assertEquals(List.of(), Decoded.of(new PacketDecoder(t).errata(Errata.of(Errata.Cpu.parse("6/94")))).packets.stream()
        .filter(q -> q.kind == PacketKind.INVALID).toList());
  }

  @Test
  void otherPayloadsByHand() {
    byte[] trace = bytes(PSB,
        new int[] {0x02, 0x43, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00}, // PIP: NR, cr3 = (3>>1)<<5 = 0x20
        new int[] {0x99, 0x01}, // MODE.Exec CS.L
        new int[] {0x99, 0x22}, // MODE.TSX abort
        new int[] {0x19, 1, 2, 3, 4, 5, 6, 7}, // TSC 0x07060504030201
        new int[] {0x02, 0x73, 0x34, 0x12, 0x00, 0xff, 0x01}, // TMA ctc 0x1234 fc 0x1ff
        new int[] {0x59, 0xab}, // MTC
        new int[] {0x0f, 0x02}, // CYC: 1 | (1 << 5) = 0x21
        new int[] {0x02, 0x03, 0x2a, 0x00}, // CBR 42
        new int[] {0x02, 0xc8, 0x01, 0x02, 0x03, 0x04, 0x05}, // VMCS 0x0504030201000
        new int[] {0x02, 0xc3, 0x88, 1, 0, 0, 0, 0, 0, 0, 0x80}, // MNT
        new int[] {0x02, 0xb2, 1, 0, 0, 0, 0, 0, 0, 0}, // PTW 8 bytes, IP
        new int[] {0x02, 0xe2}, // EXSTOP IP
        new int[] {0x02, 0xc2, 0xf0, 0, 0, 0, 1, 0, 0, 0}, // MWAIT hints f0 ext 1
        new int[] {0x02, 0x22, 0x80, 0x21}, // PWRE: HW, C-state 2, sub 1
        new int[] {0x02, 0xa2, 0x12, 0x01, 0, 0, 0}, // PWRX: last 1, deepest 2, interrupt
        new int[] {0x02, 0x23, 0x02, 0xf3, 0x02, 0x83}); // PSBEND, OVF, STOP
    List<Packet> p = Decoded.of(trace).packets;
    assertEquals(0x20, p.get(1).payload);
    assertEquals(1, p.get(1).payload2);
    assertEquals(64, p.get(2).execBits());
    assertEquals(PacketKind.MODE_TSX, p.get(3).kind);
    assertEquals(2, p.get(3).payload);
    assertEquals(0x07060504030201L, p.get(4).payload);
    assertEquals(0x1234, p.get(5).payload);
    assertEquals(0x1ff, p.get(5).payload2);
    assertEquals(0xab, p.get(6).payload);
    assertEquals(0x21, p.get(7).payload);
    assertEquals(42, p.get(8).payload);
    assertEquals(0x0504030201000L, p.get(9).payload);
    assertEquals(0x8000000000000001L, p.get(10).payload);
    assertEquals(1, p.get(11).payload);
    assertTrue(p.get(11).ptwIp());
    assertEquals(10, p.get(11).size);
    assertEquals(1, p.get(12).payload);
    assertEquals(0xf0, p.get(13).payload);
    assertEquals(2, p.get(14).pwreState());
    assertEquals(1, p.get(14).pwreSubState());
    assertTrue(p.get(14).pwreHw());
    assertEquals(1, p.get(15).pwrxLast());
    assertEquals(2, p.get(15).pwrxDeepest());
    assertEquals(1, p.get(15).pwrxWakeReason());
    assertEquals(List.of(PacketKind.PSBEND, PacketKind.OVF, PacketKind.STOP),
        p.subList(16, 19).stream().map(x -> x.kind).toList());
    // the ptdump layout of these payloads
    assertEquals("0000000000000010  pip        20, nr", p.get(1).toString());
    assertEquals("0000000000000018  mode.exec  cs.l", p.get(2).toString());
    assertEquals("000000000000001a  mode.tsx   abrt", p.get(3).toString());
    assertEquals("000000000000001c  tsc        7060504030201", p.get(4).toString());
    assertEquals("0000000000000024  tma        1234, 1ff", p.get(5).toString());
    assertEquals("000000000000003a  mnt        8000000000000001", p.get(10).toString());
    assertEquals("0000000000000045  ptw        1: 1, ip", p.get(11).toString());
    assertEquals("000000000000004f  exstop     ip", p.get(12).toString());
    assertEquals("0000000000000051  mwait      000000f0, 00000001", p.get(13).toString());
    // the listing prints HW where libipt 2.2 reads it (bit 3), as ptdump does; pwreHw() reads the SDM's bit 7
    assertEquals("000000000000005b  pwre       c3.2", p.get(14).toString());
    assertEquals("000000000000005f  pwrx       int: c2, c3", p.get(15).toString());
    assertEquals("0000000000000066  psbend", p.get(16).toString());
  }

  @Test
  void emptyTraceEndsWithoutError() {
    Decoded d = Decoded.of(new byte[0]);
    assertTrue(d.packets.isEmpty());
    assertTrue(d.errors.isEmpty());
  }

  @Test
  void traceWithoutPsbIsOneNosyncError() {
    PacketDecoder dec = new PacketDecoder(new byte[] {0x00, 0x19, 0x02, (byte) 0x82, 0x02});
    Packet p = new Packet();
    assertEquals(PacketDecoder.Status.ERROR, dec.next(p));
    assertEquals(DecodeError.NOSYNC, dec.lastError().kind());
    assertEquals(PacketDecoder.Status.END, dec.next(p));
    assertEquals(5, dec.skipped());
  }

  @Test
  void truncatedLastPacket() {
    Decoded d = Decoded.of(bytes(PSB, new int[] {0x02, 0x23, 0x19, 1, 2, 3}));
    assertEquals(2, d.packets.size());
    assertEquals(List.of(new DecodeError(18, DecodeError.TRUNCATED, "trace ends inside a tsc packet")), d.errors);
    assertEquals(4, d.skipped);
  }

  @Test
  void unknownOpcodeResyncsAtNextPsbAndCountsSkippedBytes() {
    Decoded d = Decoded.of(bytes(PSB, new int[] {0x1a, 0xc9, 0x1a, 0x1a, 0x1a}, PSB, new int[] {0x1a}));
    assertEquals(List.of(PacketKind.PSB, PacketKind.TNT_8, PacketKind.PSB, PacketKind.TNT_8),
        d.packets.stream().map(x -> x.kind).toList());
    assertEquals(DecodeError.BAD_OPCODE, d.errors.get(0).kind());
    assertEquals(17, d.errors.get(0).offset());
    assertEquals(4, d.skipped);
    assertEquals("[11: error decoding packet: unknown opcode]", PacketFormat.error(d.errors.get(0)));
  }

  @Test
  void lastSkippedIsTheGapAfterEachError() {
    PacketDecoder d = new PacketDecoder(bytes(PSB, new int[] {0xc9, 1, 2, 3, 4}, PSB, new int[] {0x02, 0x04}, PSB));
    Packet p = new Packet();
    assertEquals(PacketDecoder.Status.OK, d.next(p));
    assertEquals(PacketDecoder.Status.ERROR, d.next(p));
    assertEquals(16, d.lastError().offset());
    assertEquals(PacketDecoder.Status.OK, d.next(p));
    assertEquals(21, p.offset);
    assertEquals(5, d.lastSkipped());
    assertEquals(PacketDecoder.Status.ERROR, d.next(p));
    assertEquals(PacketDecoder.Status.OK, d.next(p));
    assertEquals(2, d.lastSkipped());
    assertEquals(7, d.skipped());
    assertEquals(PacketDecoder.Status.END, d.next(p));
  }

  @Test
  void garbageBeforeTheFirstPsbIsSkipped() {
    Decoded d = Decoded.of(bytes(new int[] {0xc9, 0xc9, 0xc9}, PSB, new int[] {0x02, 0x23}));
    assertTrue(d.errors.isEmpty());
    assertEquals(3, d.skipped);
    assertEquals(3, d.packets.get(0).offset);
  }

  @Test
  void explicitSyncMovesFromPsbToPsb() {
    byte[] t = bytes(PSB, new int[] {0x02, 0x23, 0x1a}, PSB, new int[] {0x1a}, PSB);
    PacketDecoder d = new PacketDecoder(ByteBuffer.wrap(t));
    assertEquals(0, d.sync());
    assertEquals(19, d.sync());
    assertEquals(36, d.sync());
    assertEquals(-1, d.sync());
    assertNull(d.lastError());
  }

  @Test
  void bufferPositionIsOffsetZero() {
    byte[] t = bytes(new int[] {0xc9, 0xc9}, PSB, new int[] {0x1a});
    ByteBuffer b = ByteBuffer.wrap(t);
    b.position(2);
    Decoded d = Decoded.of(new PacketDecoder(b));
    assertEquals(0, d.packets.get(0).offset);
    assertEquals(16, d.packets.get(1).offset);
    assertEquals(0, d.skipped);
  }

  /** A file decoded through tiny mapped windows gives exactly the in-memory decode, errors included. */
  @Test
  void rawTraceWindowsNeverCutAPacket() throws IOException {
    for (long seed = 1; seed <= 12; seed++) {
      RandomTrace t = new RandomTrace(seed);
      t.psbEvery = 300;
      byte[] b = t.run(2000).bytes();
      if (seed % 2 == 0) for (int i = 97; i < b.length; i += 997) b[i] = (byte) 0xc9; // damage
      Path f = dir.resolve("t" + seed + ".pt");
      Files.write(f, b);
      Decoded expected = Decoded.of(b);
      for (int window : new int[] {64, 65, 100, 333, 4096}) {
        try (RawTrace raw = RawTrace.open(f, window)) {
          Decoded got = Decoded.of(raw.decoder());
          assertEquals(expected.lines, got.lines, "seed " + seed + " window " + window);
          assertEquals(expected.skipped, got.skipped, "seed " + seed + " window " + window);
        }
      }
    }
  }

  @Test
  void seekStartsTheSearchExactlyThere() {
    byte[] t = bytes(PSB, new int[] {0x1a}, PSB, new int[] {0x1a}, PSB);
    PacketDecoder d = new PacketDecoder(t);
    d.seek(17);
    Packet p = new Packet();
    assertEquals(PacketDecoder.Status.OK, d.next(p));
    assertEquals(17, p.offset);
    d.seek(18);
    assertEquals(PacketDecoder.Status.OK, d.next(p));
    assertEquals(34, p.offset, "a PSB starting before the seek offset is not used");
    assertEquals(16, d.lastSkipped());
  }

  /**
   * A sparse file over 2 GiB: zeros, a PSB+ at 2 GiB and packets at offsets above 2^31, then 64
   * MiB of PADs. The decoder seeks to 4 KiB before the PSB (scanning 2 GiB of sparse zeros costs
   * half a million page faults, too slow for a unit test). Decoded through mapped windows with the heap
   * unchanged: nothing is allocated per packet or per byte.
   */
  @Test
  void hugeFileWithPadsStaysBounded() throws IOException {
    Path f = dir.resolve("huge.pt");
    long gap = 1L << 31;
    long pads = 64L << 20;
    byte[] tail = new PacketEncoder().psb().psbend().ip(PacketKind.TIP, 0xfffff80012345678L).toByteArray();
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(gap);
      raf.write(tail);
      raf.setLength(gap + tail.length + pads);
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    long count = 0, padCount = 0, errors = 0, lastOffset = -1;
    try (RawTrace raw = RawTrace.open(f)) {
      PacketDecoder d = raw.decoder();
      d.seek(gap - 4096);
      Packet p = new Packet();
      for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
        if (s != PacketDecoder.Status.OK) errors++;
        if (count == 2) assertEquals(0xfffff80012345678L, p.ip);
        if (p.kind == PacketKind.PAD) padCount++;
        lastOffset = p.offset;
        count++;
      }
      assertEquals(4096, d.skipped());
    }
    long after = rt.totalMemory() - rt.freeMemory();
    assertEquals(0, errors);
    assertEquals(pads, padCount);
    assertEquals(gap + tail.length + pads - 1, lastOffset);
    assertTrue(after - before < 64 << 20, "heap grew by " + (after - before));
  }
}
