package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PDB name from inside a file never leads outside the symbol folders (issue 16, case 6). */
class PdbNameTest {
  @TempDir Path dir;

  @Test
  void namesAreReducedToAPlainFileName() {
    assertEquals("a.pdb", PdbId.plainName("../../a.pdb"));
    assertEquals("a.pdb", PdbId.plainName("/etc/a.pdb"));
    assertEquals("a.pdb", PdbId.plainName("C:\\build\\..\\a.pdb"));
    assertEquals("a.pdb", PdbId.plainName("C:a.pdb"));
    assertEquals("", PdbId.plainName(".."));
    assertEquals("", PdbId.plainName("x\\.."));
  }

  @Test
  void aPdbOutsideTheSymbolFolderIsNotOpenedWhateverTheNameSays() throws Exception {
    Path symbols = Files.createDirectories(dir.resolve("store/symbols"));
    Path outside = dir.resolve("a.pdb");
    Files.copy(Fixtures.projectDir().resolve("sample/bin/sampapp.pdb"), outside);
    PdbFile.Identity real = PdbFile.identity(outside);
    for (String name : new String[] {"../../a.pdb", outside.toString(), "..\\..\\a.pdb", ".."}) {
      PdbId id = new PdbId(name, real.guid(), real.age());
      for (Path c : PdbLocator.candidates(symbols, id)) assertTrue(c.normalize().startsWith(symbols), c.toString());
      assertFalse(PdbLocator.find(id, SymbolPath.of(symbols)).found(), name);
    }
    // The same PDB inside the folder is found by its plain name.
    Files.copy(outside, symbols.resolve("a.pdb"));
    assertTrue(PdbLocator.find(new PdbId("../../a.pdb", real.guid(), real.age()), SymbolPath.of(symbols)).found());
  }
}
