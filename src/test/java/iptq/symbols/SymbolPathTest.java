package iptq.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SymbolPathTest {
  @Test
  void ntSymbolPathEntries() {
    SymbolPath p = SymbolPath.parse(
        "srv*/sym/store*https://msdl.microsoft.com/download/symbols; /plain/dir ;cache*/sym/cache;"
            + "srv*https://only.a.server/x;symsrv*symsrv.dll*/sym/a*/sym/b*http://server;;cache*;weird*thing");
    assertEquals(List.of(Path.of("/sym/store"), Path.of("/plain/dir"), Path.of("/sym/cache"), Path.of("/sym/a"),
        Path.of("/sym/b")), p.dirs());
    assertEquals(List.of(), SymbolPath.parse(null).dirs());
    assertEquals(List.of(), SymbolPath.parse("  ").dirs());
  }

  @Test
  void storeKeyAndCandidates() {
    // GUID F535C5FB-2AE8-4BB8-AA20-6C30BE566C5A age 1, as in the fixture's Breakpad debug id.
    PdbId id = new PdbId("Crash.pdb", UUID.fromString("f535c5fb-2ae8-4bb8-aa20-6c30be566c5a"), 0x1A);
    assertEquals("F535C5FB2AE84BB8AA206C30BE566C5A1A", id.key());
    assertEquals(List.of(Path.of("/s/Crash.pdb/F535C5FB2AE84BB8AA206C30BE566C5A1A/Crash.pdb"),
        Path.of("/s/crash.pdb/F535C5FB2AE84BB8AA206C30BE566C5A1A/crash.pdb"), Path.of("/s/Crash.pdb"),
        Path.of("/s/crash.pdb")), PdbLocator.candidates(Path.of("/s"), id));
  }

  @Test
  void guidBytesAreLittleEndianInTheirFirstThreeFields() {
    byte[] b = {(byte) 0xFB, (byte) 0xC5, 0x35, (byte) 0xF5, (byte) 0xE8, 0x2A, (byte) 0xB8, 0x4B,
        (byte) 0xAA, 0x20, 0x6C, 0x30, (byte) 0xBE, 0x56, 0x6C, 0x5A};
    assertEquals("F535C5FB-2AE8-4BB8-AA20-6C30BE566C5A", PdbId.guidString(PdbId.guidFromBytes(b, 0)));
  }
}
