package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of the real files (made here, in a temporary directory) give an InputException
 * or a counted skip, never another exception, a hang, or unbounded memory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtlCorruptionTest {
  @TempDir Path dir;

  static final long REAL_EVENTS = 17078; // ShutdownPerfDiagLogger.etl, all kinds and hooks

  private Path write(byte[] b) throws Exception {
    Path p = dir.resolve("bad.etl");
    Files.write(p, b);
    return p;
  }

  /** Reads everything; returns the stats, or null when the file was rejected as a whole. */
  private EtlStats readAll(byte[] b) throws Exception {
    try (EtlFile f = EtlFile.open(write(b))) {
      long n = 0;
      while (f.hasMoreEvents()) {
        EtlEvent e = f.readEvent();
        e.data().fields();
        n++;
      }
      assertEquals(n, f.stats().events());
      return f.stats();
    } catch (InputException x) {
      assertTrue(x.getMessage().contains("bad.etl"), x.getMessage());
      return null;
    }
  }

  private static byte[] real() throws Exception {
    return Files.readAllBytes(Fixtures.path("etl/ShutdownPerfDiagLogger.etl"));
  }

  @Test
  void theIntactFileReadsCompletely() throws Exception {
    EtlStats s = readAll(real());
    assertEquals(REAL_EVENTS, s.events());
  }

  @Test
  void truncatedCopies() throws Exception {
    byte[] b = real();
    for (int len : new int[] {0, 3, 0x47, 0x48, 0x100, 65535}) {
      InputException x = assertThrows(InputException.class, () -> EtlFile.open(write(Arrays.copyOf(b, len))));
      assertTrue(x.getMessage().contains("bad.etl"));
    }
    for (int len : new int[] {65536, 65536 + 100, 3 * 65536 - 1, b.length - 1}) {
      EtlStats s = readAll(Arrays.copyOf(b, len));
      assertEquals(len % 65536, s.trailingBytes(), "length " + len);
      assertEquals(len / 65536, s.buffers());
      assertTrue(s.events() < REAL_EVENTS || len == b.length);
    }
  }

  @Test
  void bitFlippedBufferHeaders() throws Exception {
    byte[] orig = real();
    Random r = new Random(11);
    int rejected = 0;
    for (int round = 0; round < 40; round++) {
      byte[] b = orig.clone();
      int buffer = r.nextInt(49);
      int bit = r.nextInt(BufferHeader.SIZE * 8);
      b[buffer * 65536 + bit / 8] ^= (byte) (1 << (bit % 8));
      EtlStats s = readAll(b);
      if (s == null) {
        rejected++;
        assertEquals(0, buffer, "only a damaged first buffer rejects the file");
      } else {
        assertTrue(s.events() <= REAL_EVENTS + 64);
      }
    }
    assertTrue(rejected < 40);
  }

  @Test
  void sizesPointingPastTheEnd() throws Exception {
    byte[] b = real();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(5 * 65536 + 4, 0x20000); // SavedOffset of buffer 5 beyond its size
    bb.putInt(7 * 65536, 0x7fffffff); // BufferSize of buffer 7 far past the end of the file
    // The second record of buffer 2: its Size (u16 at +4) made to run past the used part.
    int rec2 = secondRecord(bb, 2 * 65536);
    bb.putShort(rec2 + 4, (short) 0xFFF0);
    EtlStats s = readAll(b);
    assertEquals(2, s.corruptBuffers());
    assertEquals(1, s.badRecords());
    assertTrue(s.skippedBytes() > 0);
    assertTrue(s.events() < REAL_EVENTS);
  }

  @Test
  void zeroSizeRecords() throws Exception {
    byte[] b = real();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int rec = secondRecord(bb, 3 * 65536);
    bb.putShort(rec + 4, (short) 0);
    EtlStats s = readAll(b);
    assertEquals(1, s.badRecords());
    assertTrue(s.events() < REAL_EVENTS);
  }

  @Test
  void garbageInsideBuffers() throws Exception {
    byte[] orig = real();
    Random r = new Random(5);
    for (int round = 0; round < 10; round++) {
      byte[] b = orig.clone();
      for (int k = 0; k < 200; k++) {
        int buffer = 1 + r.nextInt(48);
        b[buffer * 65536 + BufferHeader.SIZE + r.nextInt(65536 - BufferHeader.SIZE)] = (byte) r.nextInt();
      }
      EtlStats s = readAll(b);
      assertTrue(s != null && s.events() > 0);
    }
  }

  @Test
  void damagedCompressedBuffers() throws Exception {
    Path f = dir.resolve("z.etl");
    EtlWriterRoundTripTest.writeAll(f, EtlWriter.Config.defaults().withBufferSize(8192).withCompressed(true), 1500);
    byte[] orig = Files.readAllBytes(f);
    Random r = new Random(9);
    long total = readAll(orig).events();
    for (int round = 0; round < 20; round++) {
      byte[] b = orig.clone();
      int at = 8192 + r.nextInt(b.length - 8192);
      b[at] ^= (byte) (1 + r.nextInt(255));
      EtlStats s = readAll(b);
      assertTrue(s == null || s.events() <= total + 200);
    }
  }

  private static int secondRecord(ByteBuffer bb, int buffer) {
    int first = buffer + BufferHeader.SIZE;
    int size = Short.toUnsignedInt(bb.getShort(first + 4));
    return first + ((size + 7) & ~7);
  }
}
