package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.PeFile;
import iptq.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real MSVC 2017 PDB against the Breakpad conversion made of it by an independent tool. */
class PdbFileTest {
  static final Path PDB = Fixtures.path("pdb/CrashWithException.pdb");
  static final Path SYM = Fixtures.path("pdb/CrashWithException.pdb.sym");

  @Test
  void identityMatchesTheBreakpadDebugId() throws Exception {
    PdbFile pdb = PdbFile.open(PDB);
    BreakpadSym sym = BreakpadSym.read(SYM);
    assertEquals("F535C5FB2AE84BB8AA206C30BE566C5A1", sym.debugId());
    assertEquals(sym.debugId(), pdb.key());
    assertEquals("F535C5FB-2AE8-4BB8-AA20-6C30BE566C5A", PdbId.guidString(pdb.guid()));
    assertEquals(1, pdb.age());
    assertEquals(20000404L, pdb.version());
    assertEquals(0x8664, pdb.machine());
    assertFalse(pdb.hasOmap());
    assertTrue(pdb.sections().size() >= 5, "section headers read: " + pdb.sections());
    assertEquals(".text", pdb.sections().get(0).name());
    assertEquals(0x1000, pdb.sections().get(0).virtualAddress());
  }

  @Test
  void everyFuncAndPublicOfTheSymFileIsFoundAtItsRva() throws Exception {
    ModuleSymbols syms = ModuleSymbols.fromPdb("CrashWithException.exe", PdbFile.open(PDB));
    BreakpadSym sym = BreakpadSym.read(SYM);
    assertEquals(99, sym.lines().size(), "66 FUNC + 33 PUBLIC lines");
    List<String> wrong = new ArrayList<>();
    int funcs = 0;
    for (BreakpadSym.Line l : sym.lines()) {
      List<SymbolRow> at = syms.rowsAt(l.rva());
      SymbolRow match = null;
      for (SymbolRow r : at) if (BreakpadSym.sameName(r.name(), l.name())) match = r;
      if (match == null) {
        wrong.add(l + " not found; at that RVA: " + at);
      } else if (l.kind().equals("FUNC")) {
        funcs++;
        if (match.size() != l.size()) wrong.add(l + " has size " + match.size() + " in iptq");
        if (!match.source().equals(ModuleSymbols.ROW_PROC)) wrong.add(l + " is not a procedure in iptq: " + match);
      }
      // The lookup answers for every byte of the function with the name at its start.
      int e = syms.find(l.rva());
      if (e < 0 || syms.start(e) != l.rva()) wrong.add(l + ": lookup of its start gives entry " + e);
      if (l.size() > 1) {
        int last = syms.find(l.rva() + l.size() - 1);
        if (last != e) wrong.add(l + ": lookup of its last byte gives " + (last < 0 ? "nothing" : syms.name(last)));
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(66, funcs);
  }

  @Test
  void lookupGivesNameAndOffset() {
    ModuleSymbols syms = ModuleSymbols.fromPdb("CrashWithException.exe", PdbFile.open(PDB));
    assertEquals("pdb", syms.source());
    // FUNC 1120 2d 0 crashing_function()
    int e = syms.find(0x1120 + 0x10);
    assertEquals("crashing_function", syms.name(e));
    assertEquals(0x1120, syms.start(e));
    assertEquals(0x2d, syms.size(e));
    assertEquals("crashing_function+0x10", syms.describe(0x1130));
    assertEquals(-1, syms.find(0x10), "headers are no function");
    assertEquals(-1, syms.find(0x7fffffffL));
  }

  @Test
  void theImagesRsdsRecordFindsThisPdbInAPlainFolder() {
    try (PeFile exe = PeFile.open(Fixtures.path("pdb/CrashWithException.exe"))) {
      PdbId id = PdbId.of(exe.codeView());
      assertEquals("CrashWithException.pdb", id.name());
      assertEquals("F535C5FB2AE84BB8AA206C30BE566C5A1", id.key());
      PdbLocator.Result r = PdbLocator.find(id, SymbolPath.of(PDB.getParent()));
      assertEquals(PDB.getParent().resolve("CrashWithException.pdb"), r.pdb());
      SymbolLoader.Loaded l = new SymbolLoader(SymbolPath.of(PDB.getParent())).load("CrashWithException.exe", exe);
      assertEquals("pdb", l.symbols().source());
      assertEquals("main", l.symbols().describe(0x1170));
    }
  }
}
