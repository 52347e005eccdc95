package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ListingBuffer} writes exactly the lines the String-building default of {@link FlowListing.Lines} makes. */
class ListingBufferTest {
  /** The reference: every line built as a String, as the listing did before. */
  private static final class Strings implements FlowListing.Lines {
    final StringBuilder all = new StringBuilder();

    @Override
    public void line(CharSequence line) {
      all.append(line).append('\n');
    }
  }

  @Test
  void instructionLinesAndOtherLinesAreByteForByteTheReference() {
    SplittableRandom r = new SplittableRandom(7);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ListingBuffer fast = new ListingBuffer(bytes);
    Strings slow = new Strings();
    long[] edges = {0, 1, 9, 10, 15, 16, 0xa, 0xffffffffL, 0x100000000L, 0x7fffffffffffffffL, Long.MIN_VALUE, -1,
        0xfffff80012345678L, 0x00007ff640001d81L, 0x0123456789abcdefL, 0xfedcba9876543210L};
    String[] texts = {null, "", "mov rax, qword ptr [rip + 0x10]", "ret", "ünïcödé €", "x".repeat(3_000_000)};
    // > 2 million lines: the buffer is drained many times, at every possible fill level
    for (int i = 0; i < 2_100_000; i++) {
      long ip = i < edges.length ? edges[i] : r.nextInt(4) == 0 ? r.nextLong() : r.nextLong() >>> r.nextInt(64);
      boolean spec = r.nextInt(5) == 0;
      String text = i < 200 ? texts[i % texts.length] : r.nextInt(3) == 0 ? texts[r.nextInt(texts.length - 1)] : null;
      if (r.nextInt(50) == 0) {
        String line = "[paging, cr3: " + Long.toHexString(ip) + (r.nextInt(10) == 0 ? " ✓" : "") + "]";
        fast.line(line);
        slow.line(line);
      } else {
        fast.insn(spec, ip, text);
        slow.insn(spec, ip, text);
      }
    }
    fast.flush();
    assertEquals(slow.all.toString(), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void hexDigitsOfEveryNibbleValueInEveryPlace() {
    for (int place = 0; place < 8; place++) {
      for (int d = 0; d < 16; d++) {
        int x = d << (4 * place);
        long v = ListingBuffer.hex8(x);
        byte[] b = new byte[8];
        for (int k = 0; k < 8; k++) b[k] = (byte) (v >>> (8 * k));
        assertEquals(String.format("%08x", x), new String(b, StandardCharsets.US_ASCII));
      }
    }
  }
}
