package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The LZ77+Huffman codec against the examples Microsoft publishes in [MS-XCA] section 3.2. */
class XpressTest {
  private static byte[] spec(int[][] nonzero, String tail) {
    byte[] t = HexFormat.ofDelimiter(" ").parseHex(tail);
    byte[] b = new byte[256 + t.length];
    for (int[] nz : nonzero) b[nz[0]] = (byte) nz[1];
    System.arraycopy(t, 0, b, 256, t.length);
    return b;
  }

  static byte[] alphabetExample() {
    return spec(new int[][] {{0x30, 0x50}, {0x31, 0x55}, {0x32, 0x55}, {0x33, 0x55}, {0x34, 0x55},
        {0x35, 0x55}, {0x36, 0x55}, {0x37, 0x55}, {0x38, 0x55}, {0x39, 0x55}, {0x3a, 0x55},
        {0x3b, 0x45}, {0x3c, 0x44}, {0x3d, 0x04}, {0x80, 0x04}},
        "d8 52 3e d7 94 11 5b e9 19 5f f9 d6 7c df 8d 04 00 00 00 00");
  }

  static byte[] abcExample() {
    return spec(new int[][] {{0x30, 0x30}, {0x31, 0x23}, {0x80, 0x02}, {0x8f, 0x20}},
        "a8 dc 00 00 ff 26 01");
  }

  private static byte[] decompress(byte[] in, int size) throws Xpress.CorruptException {
    byte[] out = new byte[size];
    Xpress.decompress(in, 0, in.length, out, 0, size);
    return out;
  }

  @Test
  void microsoftAlphabetExample() throws Exception {
    assertEquals("abcdefghijklmnopqrstuvwxyz",
        new String(decompress(alphabetExample(), 26), StandardCharsets.US_ASCII));
  }

  @Test
  void microsoftAbcExample() throws Exception {
    assertEquals("abc".repeat(100), new String(decompress(abcExample(), 300), StandardCharsets.US_ASCII));
  }

  @Test
  void corruptInputIsRejected() {
    byte[] abc = abcExample();
    byte[] broken = abc.clone();
    broken[0x30] = 0x31; // lengths no longer form a complete code
    assertThrows(Xpress.CorruptException.class, () -> decompress(broken, 300));
    assertThrows(Xpress.CorruptException.class, () -> decompress(java.util.Arrays.copyOf(abc, 200), 300));
    byte[] far = abc.clone();
    far[256] = (byte) 0xff; // changes the symbol stream: a match before the start or garbage
    assertThrows(Xpress.CorruptException.class, () -> decompress(far, 300));
  }

  @Test
  void compressorReproducesMicrosoftAbcEncodingSize() throws Exception {
    byte[] plain = "abc".repeat(100).getBytes(StandardCharsets.US_ASCII);
    byte[] c = Xpress.compress(plain, 0, plain.length);
    assertArrayEquals(plain, decompress(c, plain.length));
  }

  @Test
  void roundTripsRandomAndRepetitiveData() throws Exception {
    Random r = new Random(42);
    for (int size : new int[] {0, 1, 2, 3, 17, 1000, 65535, 65536, 65537, 200_000}) {
      byte[] plain = new byte[size];
      for (int i = 0; i < size; i++) {
        plain[i] = (byte) (i % 7 == 0 ? r.nextInt(256) : (i > 300 && r.nextBoolean() ? plain[i - 300] : r.nextInt(4)));
      }
      byte[] c = Xpress.compress(plain, 0, plain.length);
      assertArrayEquals(plain, decompress(c, size), "size " + size);
    }
    byte[] zeros = new byte[65536];
    byte[] c = Xpress.compress(zeros, 0, zeros.length);
    assertArrayEquals(zeros, decompress(c, zeros.length));
    assertEquals(true, c.length < 400, "long runs compress with escaped lengths: " + c.length);
  }
}
