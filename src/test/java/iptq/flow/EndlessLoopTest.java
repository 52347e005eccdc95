package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.RawImage;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A walk that comes back to a block without consuming trace can never end: the decoder says so
 * at the first repetition (one {@code no-progress} error, then the next PSB) instead of walking
 * 2^24 instructions per PSB and writing a row for each.
 */
class EndlessLoopTest {
  static final long CODE = 0x401000;
  /** FlowDecoder.LOOP_CHECK, written out so that this test compiles (and fails) without it. */
  static final long LOOP_CHECK = 4096;

  /** PSB, MODE.Exec, FUP, PSBEND, one TNT bit: the 30 bytes of the issue, times {@code psbs}. */
  static byte[] trace(int psbs) {
    PacketEncoder e = new PacketEncoder();
    for (int i = 0; i < psbs; i++) {
      e.psb().modeExecBits(64).ip(PacketKind.FUP, 6, CODE).psbend().tnt8(1, 1);
    }
    return e.toByteArray();
  }

  static final class Counting implements FlowSink {
    long blocks, branches;
    final List<String> errors = new ArrayList<>();

    @Override
    public void block(long seq, long startIp, long endIp, int insns, long ts) {
      blocks++;
    }

    @Override
    public void branch(long seq, long fromIp, long toIp, BranchKind kind, boolean taken, long ts) {
      branches++;
    }

    @Override
    public void error(long offset, long ip, String kind, String message, long skippedBytes) {
      errors.add(kind + ": " + message);
    }
  }

  static Counting decode(byte[] trace, byte[] code) {
    RawImage image = new RawImage(List.of(new RawImage.Section(CODE, code, "loop")));
    Counting sink = new Counting();
    new FlowDecoder(new PacketDecoder(trace), image, sink).decode();
    return sink;
  }

  @Test
  void jmpToItselfIsOneErrorAtTheFirstRepetition() {
    byte[] t = trace(1);
    assertEquals(30, t.length);
    long t0 = System.nanoTime();
    Counting c = decode(t, new byte[] {(byte) 0xeb, (byte) 0xfe}); // jmp $
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 1000, ms + " ms");
    assertEquals(1, c.errors.size(), c.errors.toString());
    assertTrue(c.errors.get(0).startsWith(FlowError.NO_PROGRESS + ": an endless loop"), c.errors.toString());
    assertTrue(c.blocks <= LOOP_CHECK + 2, c.blocks + " blocks");
    assertTrue(c.branches <= LOOP_CHECK + 2, c.branches + " branches");
  }

  @Test
  void everyPsbIsOneErrorAndTheRowsStayBoundedPerTraceByte() {
    byte[] t = trace(8); // 240 bytes: over 2 minutes before
    long t0 = System.nanoTime();
    Counting c = decode(t, new byte[] {(byte) 0xeb, (byte) 0xfe});
    assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
    assertEquals(8, c.errors.size(), c.errors.toString());
    assertTrue(c.blocks + c.branches <= 8 * 2 * (LOOP_CHECK + 2));
  }

  @Test
  void aLoopAfterALeadInIsFoundToo() {
    // 5000 single-instruction blocks of jmp +0 (eb 00: to the next instruction), then a call
    // chain that loops: call a; a: jmp b; b: call a ... (calls push, and never return).
    byte[] code = new byte[5000 * 2 + 16];
    for (int i = 0; i < 5000; i++) {
      code[2 * i] = (byte) 0xeb;
      code[2 * i + 1] = 0;
    }
    int at = 10000;
    code[at] = (byte) 0xe8; // call +0 -> a (a zero-length call, not pushed)
    code[at + 5] = (byte) 0x90; // a: nop
    code[at + 6] = (byte) 0xeb; // jmp back to the call
    code[at + 7] = (byte) (at - (at + 8));
    Counting c = decode(trace(1), code);
    assertEquals(1, c.errors.size(), c.errors.toString());
    assertTrue(c.errors.get(0).startsWith(FlowError.NO_PROGRESS + ": an endless loop"), c.errors.toString());
    assertTrue(c.blocks < 5000 + 3 * LOOP_CHECK, c.blocks + " blocks");
  }
}
