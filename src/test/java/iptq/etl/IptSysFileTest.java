package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipt.sys trace files: per-thread blocks, auto-detected, rings unrolled from RingBufferOffset. */
class IptSysFileTest {
  @TempDir Path dir;

  static byte[] block(long tid, int timing, int mtc, int ringOffset, byte[] ring) {
    ByteBuffer b = ByteBuffer.allocate(28 + ring.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(tid).putInt(timing).putInt(mtc).putInt(2).putInt(ringOffset).putInt(ring.length).put(ring);
    return b.array();
  }

  @Test
  void blocksBecomeSegments() throws Exception {
    Random r = new Random(1);
    byte[] fresh = EtlWriterRoundTripTest.traceBytes(r, 512, 0);
    Arrays.fill(fresh, 300, 512, (byte) 0); // written up to 300, never wrapped
    byte[] wrapped = EtlWriterRoundTripTest.traceBytes(r, 1024, 700);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(block(41, 1, 3, 300, fresh));
    o.writeBytes(block(42, 0, 0, 600, wrapped));
    o.writeBytes(block(43, 0, 0, 0, new byte[0]));
    Path f = dir.resolve("t.ipt");
    Files.write(f, o.toByteArray());
    assertEquals("ipt-sys", TraceFiles.kind(f));
    try (IptSysFile in = IptSysFile.open(f)) {
      IptSegment a = in.next();
      assertEquals(41, a.tid());
      assertFalse(a.wrapped());
      assertEquals(212, a.skippedBytes()); // zeros after the write position, then the PSB at 0
      assertEquals(300, a.data().remaining());
      assertEquals(1, a.option().timeMode());
      assertEquals(3, a.option().mtcFreq());
      assertEquals(28, a.fileOffset());
      IptSegment b = in.next();
      assertTrue(b.wrapped());
      assertEquals(100, b.skippedBytes());
      byte[] expect = new byte[924];
      System.arraycopy(wrapped, 700, expect, 0, 324);
      System.arraycopy(wrapped, 0, expect, 324, 600);
      assertArrayEquals(expect, EtlWriterRoundTripTest.bytes(b.data()));
      IptSegment c = in.next();
      assertEquals(0, c.sizeBytes());
      assertFalse(in.hasNext());
    }
    // Cut off: no longer a chain of blocks.
    Path cut = dir.resolve("cut.ipt");
    Files.write(cut, Arrays.copyOf(o.toByteArray(), o.size() - 1));
    assertEquals("raw-pt", TraceFiles.kind(cut));
    assertThrows(InputException.class, () -> IptSysFile.open(cut));
  }

  @Test
  void realEtlFilesAreNotIptSysFiles() throws Exception {
    assertEquals("etl", TraceFiles.kind(Fixtures.path("etl/lxcore_kernel.etl")));
    assertEquals("etl", TraceFiles.kind(Fixtures.path("etl/ShutdownPerfDiagLogger.etl")));
    assertFalse(IptSysFile.detect(Fixtures.path("etl/lxcore_kernel.etl")));
    assertFalse(IptSysFile.detect(Fixtures.path("pe/WdBoot.sys")));
  }
}
