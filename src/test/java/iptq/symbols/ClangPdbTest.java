package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.image.PeFile;
import iptq.testing.ClangPe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real PE+PDB pairs built by clang + lld-link, checked against the linker map and llvm-pdbutil. */
class ClangPdbTest {
  static ClangPe.Built dll;
  static ClangPe.Built exe;
  static ClangPe.Built driver;

  @BeforeAll
  static void build() {
    dll = ClangPe.dll("symbols_dll").source("src/test/c/pe/symbols_dll.c").entry("DllMain").build();
    exe = ClangPe.exe("symbols_exe").source("src/test/c/pe/symbols_exe.c").entry("start").build();
    driver = ClangPe.driver("symbols_driver").source("src/test/c/pe/symbols_driver.c").entry("DriverEntry").build();
  }

  static PdbId idOf(Path image) {
    try (PeFile pe = PeFile.open(image)) {
      return PdbId.of(pe.codeView());
    }
  }

  /** Every function the source defines is named at the RVA the map gives, with pdbutil's size. */
  static void checkAgainstLinker(ClangPe.Built b, int atLeast) throws Exception {
    List<String> functions = LinkerTruth.definedFunctions(b.objects());
    Map<String, Long> rvas = LinkerTruth.mapRvas(b.map());
    Map<String, Long> sizes = LinkerTruth.pdbutilSizes(b.pdb());
    assertTrue(functions.size() >= atLeast, "functions defined: " + functions);
    ModuleSymbols syms = ModuleSymbols.fromPdb(b.image().getFileName().toString(), PdbFile.open(b.pdb(), idOf(b.image())));
    List<String> wrong = new ArrayList<>();
    for (String f : functions) {
      Long rva = rvas.get(f), size = sizes.get(f);
      if (rva == null || size == null) {
        wrong.add(f + ": map RVA " + rva + ", pdbutil size " + size);
        continue;
      }
      SymbolRow row = null;
      for (SymbolRow r : syms.rowsAt(rva)) if (r.name().equals(f)) row = r;
      if (row == null) {
        wrong.add(f + " not at 0x" + Long.toHexString(rva) + ": " + syms.rowsAt(rva));
        continue;
      }
      if (row.size() != size) wrong.add(f + " size " + row.size() + ", pdbutil says " + size);
      if (!row.source().equals(ModuleSymbols.ROW_PROC)) wrong.add(f + " source " + row.source());
      for (long at : new long[] {rva, rva + size / 2, rva + size - 1}) {
        int e = syms.find(at);
        if (e < 0 || !syms.name(e).equals(f) || syms.start(e) != rva) {
          wrong.add(f + ": lookup of 0x" + Long.toHexString(at) + " gives " + syms.describe(at));
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void dllFunctionsAreWhereTheLinkerPutThem() throws Exception {
    checkAgainstLinker(dll, 10);
  }

  @Test
  void exeFunctionsAreWhereTheLinkerPutThem() throws Exception {
    checkAgainstLinker(exe, 4);
  }

  @Test
  void driverFunctionsAreWhereTheLinkerPutThem() throws Exception {
    checkAgainstLinker(driver, 3);
    try (PeFile pe = PeFile.open(driver.image())) {
      assertEquals(1, pe.subsystem(), "IMAGE_SUBSYSTEM_NATIVE");
      ModuleSymbols syms = new SymbolLoader(SymbolPath.of(driver.dir())).load("symbols_driver.sys", pe).symbols();
      assertEquals("DriverEntry", syms.describe(pe.entryPoint()));
    }
  }

  @Test
  void symbolMapNamesAbsoluteAddressesAcrossModules() throws Exception {
    long dllBase = 0x7FF8_1234_0000L, exeBase = 0x1_4000_0000L, sysBase = 0xFFFFF806_1230_0000L;
    SymbolLoader loader = new SymbolLoader(SymbolPath.of(dll.dir(), exe.dir(), driver.dir()));
    List<SymbolMap.Module> mods = new ArrayList<>();
    Object[][] images = {{dll, dllBase}, {exe, exeBase}, {driver, sysBase}};
    for (Object[] im : images) {
      ClangPe.Built b = (ClangPe.Built) im[0];
      try (PeFile pe = PeFile.open(b.image())) {
        String name = b.image().getFileName().toString();
        mods.add(new SymbolMap.Module(name, (long) im[1], pe.sizeOfImage(), loader.load(name, pe).symbols()));
      }
    }
    SymbolMap map = new SymbolMap(mods);
    long classify = LinkerTruth.mapRvas(dll.map()).get("classify");
    assertEquals("symbols_dll.dll!classify+0x3", map.describe(dllBase + classify + 3));
    assertEquals("symbols_exe.exe!start", map.describe(exeBase + LinkerTruth.mapRvas(exe.map()).get("start")));
    assertEquals("symbols_driver.sys!dispatch+0x1",
        map.describe(sysBase + LinkerTruth.mapRvas(driver.map()).get("dispatch") + 1));
    assertEquals("symbols_exe.exe+0x10", map.describe(exeBase + 0x10));
    assertNull(map.describe(0x1000));
    assertNull(map.describe(-1L));
  }

  @Test
  void exportsAreTheFallbackWithoutAPdb(@TempDir Path empty) throws Exception {
    Map<String, Long> exports = LinkerTruth.exports(dll.image());
    Map<String, Long> sizes = LinkerTruth.pdbutilSizes(dll.pdb());
    assertEquals(5, exports.size(), "exports: " + exports);
    try (PeFile pe = PeFile.open(dll.image())) {
      SymbolLoader.Loaded l = new SymbolLoader(SymbolPath.of(empty)).load("symbols_dll.dll", pe);
      ModuleSymbols syms = l.symbols();
      assertEquals("exports", syms.source());
      assertNull(l.pdb());
      assertTrue(l.missing().startsWith("no PDB symbols_dll.pdb"), l.missing());
      assertEquals(exports.size(), syms.rowCount());
      for (Map.Entry<String, Long> x : exports.entrySet()) {
        long rva = x.getValue(), last = rva + sizes.get(x.getKey()) - 1;
        assertEquals(x.getKey(), syms.describe(rva));
        assertEquals(x.getKey() + "+0x" + Long.toHexString(last - rva), syms.describe(last));
        assertEquals(ModuleSymbols.ROW_EXPORT, syms.rowsAt(rva).get(0).source());
      }
    }
  }

  @Test
  void anExeWithoutExportsOrPdbHasNoNames(@TempDir Path empty) {
    try (PeFile pe = PeFile.open(exe.image())) {
      ModuleSymbols syms = new SymbolLoader(SymbolPath.of(empty)).load("symbols_exe.exe", pe).symbols();
      assertEquals("none", syms.source());
      assertEquals(-1, syms.find(pe.entryPoint()));
    }
  }

  @Test
  void symbolStoreLayoutAndNtSymbolPath(@TempDir Path tmp) throws Exception {
    PdbId id = idOf(dll.image());
    // A PDB of the same name but another build sits in a plain folder first: rejected, naming both.
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    Files.copy(exe.pdb(), plain.resolve("symbols_dll.pdb"));
    Path store = tmp.resolve("store");
    Path inStore = store.resolve("symbols_dll.pdb").resolve(id.key()).resolve("symbols_dll.pdb");
    Files.createDirectories(inStore.getParent());
    Files.copy(dll.pdb(), inStore);
    SymbolPath path = SymbolPath.parse(plain + ";srv*" + store + "*https://msdl.microsoft.com/download/symbols");
    assertEquals(List.of(plain, store), path.dirs());
    PdbLocator.Result r = PdbLocator.find(id, path);
    assertEquals(inStore, r.pdb());
    assertEquals(1, r.rejected().size());
    String why = r.rejected().get(0);
    PdbId other = idOf(exe.image());
    assertTrue(why.contains(PdbId.guidString(id.guid())) && why.contains(PdbId.guidString(other.guid())), why);

    InputException e = assertThrows(InputException.class, () -> PdbFile.open(plain.resolve("symbols_dll.pdb"), id));
    assertTrue(e.getMessage().contains("does not match the image's GUID " + PdbId.guidString(id.guid())), e.getMessage());

    try (PeFile pe = PeFile.open(dll.image())) {
      SymbolLoader.Loaded l = new SymbolLoader(path).load("symbols_dll.dll", pe);
      assertEquals(inStore, l.pdb());
      assertEquals("pdb", l.symbols().source());
      assertNotNull(l.symbols().describe(LinkerTruth.mapRvas(dll.map()).get("classify")));
    }
  }

  @Test
  void aPdbWithAHigherAgeMatchesButALowerOneDoesNot() {
    PdbId id = idOf(dll.image());
    PdbFile.Identity pdb = PdbFile.identity(dll.pdb());
    assertNull(PdbFile.mismatch(pdb, id));
    assertNull(PdbFile.mismatch(pdb, new PdbId(id.name(), id.guid(), id.age() - 1)));
    assertNotNull(PdbFile.mismatch(pdb, new PdbId(id.name(), id.guid(), id.age() + 1)));
  }
}
