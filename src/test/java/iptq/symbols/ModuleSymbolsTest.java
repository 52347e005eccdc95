package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The bucketed binary search against the obvious TreeMap lookup, on seeded random tables. */
class ModuleSymbolsTest {
  static final PdbSection TEXT = new PdbSection(".text", 0x1000, 0x8000, 0x60000020L);

  @Test
  void findAgreesWithATreeMapOnRandomTables() {
    Random rnd = new Random(1123);
    for (int t = 0; t < 60; t++) {
      int n = t < 5 ? t : 1 + rnd.nextInt(t < 30 ? 50 : 5000);
      int spread = 1 << (4 + rnd.nextInt(16));
      List<ExportSymbol> xs = new ArrayList<>();
      long rva = 0x1000 + rnd.nextInt(spread);
      for (int i = 0; i < n; i++) {
        xs.add(new ExportSymbol(rva, "f" + i));
        if (rnd.nextInt(10) == 0) xs.add(new ExportSymbol(rva, "alias" + i)); // two names, one address
        rva += 1 + rnd.nextInt(spread);
      }
      long sectionEnd = rva + rnd.nextInt(100);
      PdbSection text = new PdbSection(".text", 0x1000, sectionEnd - 0x1000, 0x60000020L);
      ModuleSymbols syms = ModuleSymbols.fromExports("m", xs, List.of(text));
      TreeMap<Long, String> tree = new TreeMap<>();
      Map<String, Long> rvaOf = new java.util.HashMap<>();
      for (ExportSymbol x : xs) {
        tree.putIfAbsent(x.rva(), x.name());
        rvaOf.put(x.name(), x.rva());
      }
      assertEquals(tree.size(), syms.entryCount());
      for (int q = 0; q < 3000; q++) {
        long a = rnd.nextInt(5) == 0 ? rnd.nextLong() >>> rnd.nextInt(64) : rnd.nextLong(sectionEnd + 64);
        Map.Entry<Long, String> f = tree.floorEntry(a);
        long expected = -1;
        if (f != null) {
          Long next = tree.higherKey(f.getKey());
          long end = next == null ? sectionEnd : next;
          if (a < end) expected = f.getKey();
        }
        int e = syms.find(a);
        assertEquals(expected, e < 0 ? -1 : syms.start(e), "table " + t + " address 0x" + Long.toHexString(a));
        if (e >= 0) {
          assertEquals(expected, (long) rvaOf.get(syms.name(e)));
        }
      }
      assertEquals(-1, syms.find(-1));
      assertEquals(-1, syms.find(Long.MAX_VALUE));
    }
  }

  @Test
  void exportsOutsideCodeAreLeftOut() {
    PdbSection data = new PdbSection(".data", 0x9000, 0x1000, 0xC0000040L);
    ModuleSymbols syms = ModuleSymbols.fromExports("m",
        List.of(new ExportSymbol(0x1000, "code"), new ExportSymbol(0x9010, "table")), List.of(TEXT, data));
    assertEquals(1, syms.rowCount());
    assertEquals("code", syms.rows().get(0).name());
    assertEquals(-1, syms.find(0x9010));
  }

  @Test
  void noneHasNoNames() {
    ModuleSymbols syms = ModuleSymbols.none("m");
    assertEquals("none", syms.source());
    assertEquals(-1, syms.find(0x1000));
    assertEquals(0, syms.rowCount());
  }
}
