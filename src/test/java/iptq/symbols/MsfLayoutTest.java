package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.BinFile;
import iptq.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real PDB's streams repacked by {@link MsfWriter} into layouts it does not have itself: the
 * reader must give the same symbols, and translate through an OMAP that rearranges the code.
 */
class MsfLayoutTest {
  static final Path PDB = Fixtures.path("pdb/CrashWithException.pdb");

  static List<byte[]> streams() {
    try (BinFile f = BinFile.open(PDB)) {
      Msf msf = Msf.read(f);
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < msf.streamCount(); i++) {
        out.add(msf.exists(i) ? msf.stream(i, "s").bytes(0, msf.streamSize(i), "s") : null);
      }
      return out;
    }
  }

  static PdbFile parse(byte[] b) {
    return PdbFile.read(BinFile.of(Path.of("repacked.pdb"), b));
  }

  @Test
  void smallPagesWithADirectoryOnSeveralPageListPages() {
    List<byte[]> s = streams();
    s.add(new byte[9 << 20]); // 18432 pages of 512 bytes: the directory needs 145 pages, two page-list pages
    byte[] repacked = MsfWriter.write(512, s);
    PdbFile p = parse(repacked);
    assertEquals(512, p.pageSize());
    assertTrue(ByteBuffer.wrap(repacked).order(ByteOrder.LITTLE_ENDIAN).getInt(44) > 128 * 512);
    assertEquals(ModuleSymbols.fromPdb("m", PdbFile.open(PDB)).rows(), ModuleSymbols.fromPdb("m", p).rows());
  }

  /** .text [0x1000, 0x1800) moved to 0x10900, [0x1800, 0x2100) to 0x10000: the halves swapped. */
  static long moved(long rva) {
    return rva < 0x1800 ? 0x10900 + (rva - 0x1000) : 0x10000 + (rva - 0x1800);
  }

  @Test
  void omapTranslatesEverySymbolOfTheBreakpadFile() throws Exception {
    List<byte[]> s = streams();
    ByteBuffer dbi = ByteBuffer.wrap(s.get(3)).order(ByteOrder.LITTLE_ENDIAN);
    int dbgStart = 64;
    for (int at : new int[] {24, 28, 32, 36, 40, 52}) dbgStart += dbi.getInt(at);
    assertTrue(dbi.getInt(48) >= 22, "the debug header has room for entries 4 and 10");
    int sectionStream = dbi.getShort(dbgStart + 2 * 5) & 0xFFFF;
    byte[] original = s.get(sectionStream);
    byte[] rearranged = original.clone();
    ByteBuffer r = ByteBuffer.wrap(rearranged).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x1000, r.getInt(12), ".text first");
    r.putInt(12, 0x10000).putInt(8, 0x1100);
    s.set(sectionStream, rearranged);
    s.add(original); // the original section headers
    int origStream = s.size() - 1;
    ByteBuffer omap = ByteBuffer.allocate(5 * 8).order(ByteOrder.LITTLE_ENDIAN);
    omap.putInt(0).putInt(0).putInt(0x1000).putInt(0x10900).putInt(0x1800).putInt(0x10000)
        .putInt(0x2100).putInt(0).putInt(0x3000).putInt(0x3000);
    s.add(omap.array());
    int omapStream = s.size() - 1;
    dbi.putShort(dbgStart + 2 * 4, (short) omapStream).putShort(dbgStart + 2 * 10, (short) origStream);

    PdbFile p = parse(MsfWriter.write(4096, s));
    assertTrue(p.hasOmap());
    ModuleSymbols syms = ModuleSymbols.fromPdb("m", p);
    BreakpadSym sym = BreakpadSym.read(Fixtures.path("pdb/CrashWithException.pdb.sym"));
    List<String> wrong = new ArrayList<>();
    for (BreakpadSym.Line l : sym.lines()) {
      long at = moved(l.rva());
      SymbolRow match = null;
      for (SymbolRow row : syms.rowsAt(at)) if (BreakpadSym.sameName(row.name(), l.name())) match = row;
      if (match == null) wrong.add(l + " not at 0x" + Long.toHexString(at) + ": " + syms.rowsAt(at));
      else if (l.kind().equals("FUNC") && match.size() != l.size()) wrong.add(l + " size " + match.size());
    }
    assertEquals(List.of(), wrong);
    assertEquals(-1, syms.find(0x1170), "nothing is left at the original addresses");
    assertEquals("main", syms.describe(moved(0x1170)));
  }
}
