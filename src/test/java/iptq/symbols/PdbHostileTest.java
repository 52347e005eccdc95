package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import iptq.InputException;
import iptq.image.BinFile;
import iptq.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Corrupted copies (in memory) of the real PDB: each must give an {@link InputException} naming
 * the file and an offset, or a result, in bounded time; never another exception or a hang.
 */
class PdbHostileTest {
  static final Path PDB = Fixtures.path("pdb/CrashWithException.pdb");
  static final Path NAME = Path.of("corrupt.pdb");

  static byte[] original() throws Exception {
    return Files.readAllBytes(PDB);
  }

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static PdbFile parse(byte[] b) {
    return PdbFile.read(BinFile.of(NAME, b));
  }

  static InputException rejected(byte[] b) {
    return assertThrows(InputException.class, () -> ModuleSymbols.fromPdb("m", parse(b)));
  }

  /** File offset of the stream directory's first page (the layout of the real file). */
  static int directory(byte[] b) {
    ByteBuffer bb = le(b);
    int pageSize = bb.getInt(32);
    int listPage = bb.getInt(52);
    return bb.getInt(listPage * pageSize) * pageSize;
  }

  @Test
  void theDirectoryFitsOnePageInThisFile() throws Exception {
    byte[] b = original();
    assertTrue(le(b).getInt(44) <= le(b).getInt(32), "the targeted edits below assume a one-page directory");
  }

  @Test
  void notAPdb() {
    InputException e = rejected(new byte[100]);
    assertTrue(e.getMessage().startsWith("corrupt.pdb: offset 0x0: not a PDB"), e.getMessage());
    rejected(new byte[0]);
    byte[] old = "Microsoft C/C++ program database 2.00\r\n\u001aJG\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(rejected(java.util.Arrays.copyOf(old, 2048)).getMessage().contains("PDB 2.0"));
  }

  @Test
  void badPageSize() throws Exception {
    byte[] b = original();
    le(b).putInt(32, 1000);
    assertTrue(rejected(b).getMessage().contains("PageSize 1000"));
  }

  @Test
  void directoryPageListPointingAtItselfIsACycle() throws Exception {
    byte[] b = original();
    ByteBuffer bb = le(b);
    int listPage = bb.getInt(52);
    bb.putInt(listPage * bb.getInt(32), listPage);
    InputException e = rejected(b);
    assertTrue(e.getMessage().contains("used twice"), e.getMessage());
    assertEquals((long) listPage * bb.getInt(32), e.offset());
  }

  @Test
  void twoStreamsSharingAPageAreRejected() throws Exception {
    byte[] b = original();
    ByteBuffer bb = le(b);
    int dir = directory(b);
    int n = bb.getInt(dir);
    // The first two page numbers after the sizes belong to the first non-empty streams.
    int pages = dir + 4 + 4 * n;
    bb.putInt(pages + 4, bb.getInt(pages));
    assertTrue(rejected(b).getMessage().contains("already in use"));
  }

  @Test
  void hugeCountsAndSizes() throws Exception {
    byte[] b = original();
    int dir = directory(b);
    le(b).putInt(dir, 0x7FFFFFFF);
    assertTrue(rejected(b).getMessage().contains("NumStreams"));

    b = original();
    le(b).putInt(dir + 4 + 4 * 3, 0x7FFFFFF0); // the DBI stream's size
    assertTrue(rejected(b).getMessage().contains("more than the whole file"));

    b = original();
    le(b).putInt(44, 0x10000000);
    assertTrue(rejected(b).getMessage().contains("DirectorySize"));

    b = original();
    le(b).putInt(40, 3); // NumPages: every page past 3 is outside the file
    assertTrue(rejected(b).getMessage().contains("outside the file"));
  }

  /** The file offset of byte {@code pos} of stream {@code s} (one-page directory, real layout). */
  static int streamByte(byte[] b, int s, int pos) {
    ByteBuffer bb = le(b);
    int pageSize = bb.getInt(32), dir = directory(b), n = bb.getInt(dir);
    int at = dir + 4 + 4 * n;
    for (int i = 0; i < s; i++) {
      int size = bb.getInt(dir + 4 + 4 * i);
      if (size != -1) at += 4 * ((size + pageSize - 1) / pageSize);
    }
    return bb.getInt(at + 4 * (pos / pageSize)) * pageSize + pos % pageSize;
  }

  @Test
  void dbiSubstreamSizesPastTheEnd() throws Exception {
    byte[] b = original();
    le(b).putInt(streamByte(b, 3, 24), 0x7FFF0000); // ModInfoSize
    InputException e = rejected(b);
    assertTrue(e.getMessage().contains("ModInfoSize"), e.getMessage());
    assertEquals(streamByte(b, 3, 24), e.offset());
  }

  @Test
  void zeroLengthSymbolRecord() throws Exception {
    byte[] b = original();
    int symStream = le(b).getShort(streamByte(b, 3, 20)) & 0xFFFF;
    le(b).putShort(streamByte(b, symStream, 0), (short) 0);
    InputException e = rejected(b);
    assertTrue(e.getMessage().contains("symbol record of length 0"), e.getMessage());
    assertEquals(streamByte(b, symStream, 0), e.offset());
  }

  @Test
  void recordRunningPastItsStream() throws Exception {
    byte[] b = original();
    int symStream = le(b).getShort(streamByte(b, 3, 20)) & 0xFFFF;
    le(b).putShort(streamByte(b, symStream, 0), (short) 0xFFF0);
    assertTrue(rejected(b).getMessage().contains("runs past the end"));
  }

  @Test
  void truncatedCopies() throws Exception {
    byte[] b = original();
    for (int len : new int[] {0, 31, 52, 56, 4095, 4096, 8192, b.length / 3, b.length / 2, b.length - 4096, b.length - 1}) {
      try {
        ModuleSymbols.fromPdb("m", parse(java.util.Arrays.copyOf(b, len)));
        if (len < b.length - 4096) fail("a PDB truncated to " + len + " bytes was accepted");
      } catch (InputException expected) {
        assertEquals(NAME, expected.file());
      }
    }
  }

  /** Random byte damage, weighted towards the superblock, directory and DBI: bounded and clean failures. */
  @Test
  void randomDamage() throws Exception {
    byte[] orig = original();
    int dir = directory(orig);
    int[] hot = {0, dir, streamByte(orig, 3, 0), streamByte(orig, 1, 0)};
    Random rnd = new Random(20261123);
    long t0 = System.nanoTime();
    int rejectedCount = 0, accepted = 0;
    for (int i = 0; i < 600; i++) {
      byte[] b = orig.clone();
      int edits = 1 + rnd.nextInt(4);
      for (int k = 0; k < edits; k++) {
        int at = rnd.nextInt(3) == 0 ? rnd.nextInt(b.length) : hot[rnd.nextInt(hot.length)] + rnd.nextInt(256);
        if (rnd.nextBoolean()) b[at] = (byte) rnd.nextInt(256);
        else b[at] ^= (byte) (1 << rnd.nextInt(8));
      }
      try {
        ModuleSymbols.fromPdb("m", parse(b));
        accepted++;
      } catch (InputException e) {
        rejectedCount++;
        assertEquals(NAME, e.file());
      } catch (RuntimeException e) {
        throw new AssertionError("damage case " + i + " threw " + e, e);
      }
    }
    assertTrue(rejectedCount > 50 && accepted > 50, rejectedCount + " rejected, " + accepted + " accepted");
    assertTrue(System.nanoTime() - t0 < 60_000_000_000L, "bounded time");
  }

  /**
   * The _ID forms of the procedure records (S_GPROC32_ID, S_LPROC32_ID) share the layout of the
   * plain ones: rewriting every S_GPROC32/S_LPROC32 kind of the real PDB must give the same table.
   */
  @Test
  void idFormsOfProcedureRecords() throws Exception {
    byte[] b = original();
    PdbFile before = parse(b.clone());
    int patched = 0;
    for (PdbModule m : before.modules()) {
      if (m.symbolStream() < 0) continue;
      for (int pos = 4; pos + 4 <= m.symbolBytes(); ) {
        int len = le(b).getShort(streamByte(b, m.symbolStream(), pos)) & 0xFFFF;
        int kindAt = streamByte(b, m.symbolStream(), pos + 2);
        int kind = le(b).getShort(kindAt) & 0xFFFF;
        if (kind == PdbSymbol.S_GPROC32 || kind == PdbSymbol.S_LPROC32) {
          le(b).putShort(kindAt, (short) (kind == PdbSymbol.S_GPROC32 ? PdbSymbol.S_GPROC32_ID : PdbSymbol.S_LPROC32_ID));
          patched++;
        }
        pos += 2 + len;
      }
    }
    assertEquals(before.procedures().size(), patched);
    PdbFile after = parse(b);
    assertEquals(patched, after.procedures().size());
    for (int i = 0; i < patched; i++) {
      PdbSymbol x = before.procedures().get(i), y = after.procedures().get(i);
      assertEquals(x.kind() == PdbSymbol.S_GPROC32 ? PdbSymbol.S_GPROC32_ID : PdbSymbol.S_LPROC32_ID, y.kind());
      assertEquals(List.of(x.rva(), x.size(), x.name()), List.of(y.rva(), y.size(), y.name()));
    }
    assertEquals(ModuleSymbols.fromPdb("m", before).rows(), ModuleSymbols.fromPdb("m", after).rows());
  }
}
