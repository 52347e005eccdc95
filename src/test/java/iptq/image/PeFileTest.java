package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import iptq.InputException;
import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeFileTest {
  private static long hexField(String text, String field) {
    Matcher m = Pattern.compile("\\b" + field + ": .*?\\(?(0x[0-9A-Fa-f]+)\\)?\\s*$", Pattern.MULTILINE).matcher(text);
    assertTrue(m.find(), field + " in llvm-readobj output");
    return Long.decode(m.group(1));
  }

  @Test
  void wdBootHeadersSectionsImportsRelocationsMatchLlvmReadobj() {
    Path p = Fixtures.path("pe/WdBoot.sys");
    String hdr = Tools.run(null, "llvm-readobj", "--file-headers", "--sections", "--coff-debug-directory", p.toString());
    try (PeFile pe = PeFile.open(p)) {
      assertEquals(hexField(hdr, "TimeDateStamp"), pe.timeDateStamp());
      assertEquals(hexField(hdr, "ImageBase"), pe.imageBase());
      assertEquals(Long.parseLong(hdr.replaceAll("(?s).*SizeOfImage: (\\d+).*", "$1")), pe.sizeOfImage());
      assertEquals(hexField(hdr, "AddressOfEntryPoint"), pe.entryPoint());
      assertTrue(pe.isPe32Plus());
      assertEquals(0x8664, pe.machine());
      // Sections: name, VirtualAddress, VirtualSize as llvm-readobj lists them.
      Matcher sm = Pattern.compile("Name: (\\S+) \\(.*?\\)\\s+VirtualSize: (0x\\p{XDigit}+)\\s+VirtualAddress: (0x\\p{XDigit}+)").matcher(hdr);
      List<String> expected = new ArrayList<>();
      while (sm.find()) expected.add(sm.group(1) + " " + Long.decode(sm.group(3)) + " " + Long.decode(sm.group(2)));
      List<String> got = new ArrayList<>();
      for (PeFile.Section s : pe.sections()) got.add(s.name() + " " + s.virtualAddress() + " " + s.virtualSize());
      assertEquals(expected, got);
      assertEquals(10, got.size());
      // CodeView record: GUID bytes as llvm-readobj prints them, age, name.
      CodeViewRecord cv = pe.codeView();
      assertEquals("WdBoot.pdb", cv.pdbPath());
      assertEquals(1, cv.age());
      Matcher g = Pattern.compile("PDBGUID: \\(([0-9A-F ]+)\\)").matcher(hdr);
      assertTrue(g.find());
      StringBuilder hex = new StringBuilder();
      for (byte b : cv.guid()) hex.append(String.format("%02X ", b));
      assertEquals(g.group(1).trim(), hex.toString().trim());
      // A signed driver carries a correct checksum: the header value equals the computed one.
      assertNotEquals(0, pe.checkSum());
      assertEquals(pe.computeCheckSum(), pe.checkSum());

      String imp = Tools.run(null, "llvm-readobj", "--coff-imports", p.toString());
      List<String> want = new ArrayList<>();
      String dll = null;
      for (String line : imp.split("\n")) {
        line = line.trim();
        if (line.startsWith("Name: ")) dll = line.substring(6);
        if (line.startsWith("Symbol: ")) want.add(dll + "!" + line.substring(8).replaceAll(" \\(\\d+\\)$", ""));
      }
      List<String> have = new ArrayList<>();
      for (PeFile.Import i : pe.imports()) have.add(i.dll() + "!" + i.key());
      assertEquals(want, have);
      assertEquals(42, have.size());

      String rel = Tools.run(null, "llvm-readobj", "--coff-basereloc", p.toString());
      Matcher rm = Pattern.compile("Type: (\\w+)\\s+Address: (0x\\p{XDigit}+)").matcher(rel);
      List<String> wantRel = new ArrayList<>();
      while (rm.find()) if (!rm.group(1).equals("ABSOLUTE")) wantRel.add(rm.group(1) + " " + Long.decode(rm.group(2)));
      List<String> haveRel = new ArrayList<>();
      for (PeFile.Relocation r : pe.relocations()) haveRel.add((r.type() == 10 ? "DIR64" : "HIGHLOW") + " " + r.rva());
      assertEquals(wantRel, haveRel);
    }
  }

  @Test
  void mappedAtTheTraceBaseWithRelocationsApplied() {
    try (PeFile pe = PeFile.open(Fixtures.path("pe/WdBoot.sys"))) {
      long base = 0xfffff80512340000L;
      long delta = base - pe.imageBase();
      byte[] file = pe.mapImage();
      PeImage img = new PeImage(pe, base, ImportResolver.NONE, PeImage.Options.FILE_BYTES);
      assertEquals(pe.relocations().size(), img.relocationsApplied());
      byte[] mem = img.bytes();
      java.nio.ByteBuffer f = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      java.nio.ByteBuffer m = java.nio.ByteBuffer.wrap(mem).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      boolean[] touched = new boolean[mem.length];
      for (PeFile.Relocation r : pe.relocations()) {
        assertEquals(10, r.type());
        assertEquals(f.getLong((int) r.rva()) + delta, m.getLong((int) r.rva()));
        Arrays.fill(touched, (int) r.rva(), (int) r.rva() + 8, true);
      }
      for (int i = 0; i < mem.length; i++) if (!touched[i]) assertEquals(file[i], mem[i], "byte at RVA " + i);
      // The code is served at the trace's base, not the preferred one.
      byte[] b = new byte[16];
      assertEquals(16, img.read(0, base + pe.entryPoint(), b, 0, 16));
      assertArrayEquals(Arrays.copyOfRange(file, (int) pe.entryPoint(), (int) pe.entryPoint() + 16), b);
      assertEquals(0, img.read(0, pe.imageBase() + pe.entryPoint(), b, 0, 16));
      assertEquals("WdBoot.sys+0x" + Long.toHexString(pe.entryPoint()), img.describe(0, base + pe.entryPoint()));
    }
  }

  @Test
  void pe32HighLowRelocationsOfAClangBuiltDll(@TempDir Path tmp) throws Exception {
    Path dir = tmp;
    java.nio.file.Files.writeString(dir.resolve("b.c"),
        "int f1(int x) { return x + 1; }\nint f2(int x) { return x + 2; }\n"
            + "int (*table[])(int) = { f1, f2 };\n__declspec(dllexport) int call(int i, int x) { return table[i](x); }\n");
    Tools.run(dir, "clang", "--target=i686-pc-windows-msvc", "-O1", "-c", "b.c", "-o", "b.obj");
    Tools.run(dir, "lld-link", "/dll", "/noentry", "/nodefaultlib", "/export:call", "/out:b.dll", "/base:0x10000000", "b.obj");
    Path dll = dir.resolve("b.dll");
    String rel = Tools.run(null, "llvm-readobj", "--coff-basereloc", dll.toString());
    Matcher rm = Pattern.compile("Type: HIGHLOW\\s+Address: (0x\\p{XDigit}+)").matcher(rel);
    List<Long> want = new ArrayList<>();
    while (rm.find()) want.add(Long.decode(rm.group(1)));
    assertTrue(want.size() >= 3, rel); // the table's two pointers and the code's reference to it
    try (PeFile pe = PeFile.open(dll)) {
      assertFalse(pe.isPe32Plus());
      assertEquals(0x10000000L, pe.imageBase());
      List<Long> have = new ArrayList<>();
      for (PeFile.Relocation r : pe.relocations()) {
        assertEquals(3, r.type());
        have.add(r.rva());
      }
      assertEquals(want, have);
      long base = 0x6f000000L;
      PeImage img = new PeImage(pe, base, ImportResolver.NONE, PeImage.Options.MEMORY);
      java.nio.ByteBuffer f = java.nio.ByteBuffer.wrap(pe.mapImage()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      java.nio.ByteBuffer m = java.nio.ByteBuffer.wrap(img.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (long r : want) {
        int old = f.getInt((int) r);
        assertTrue(old >= 0x10000000 && old < 0x10000000 + pe.sizeOfImage(), "relocated value points into the image");
        assertEquals(old - 0x10000000 + (int) base, m.getInt((int) r));
      }
      long call = pe.exports().get(0).rva();
      assertEquals("b.dll+0x" + Long.toHexString(call), img.describe(0, base + call));
    }
  }

  @Test
  void crashWithExceptionDebugIdAndHeader() {
    try (PeFile pe = PeFile.open(Fixtures.path("pdb/CrashWithException.exe"))) {
      assertEquals("F535C5FB2AE84BB8AA206C30BE566C5A1", pe.codeView().debugId());
      assertEquals("CrashWithException.pdb", pe.codeView().pdbName());
      assertEquals(0x5C9E0959L, pe.timeDateStamp());
      assertEquals(36864, pe.sizeOfImage());
      assertEquals(0x140000000L, pe.imageBase());
      assertNull(pe.dvrt());
    }
  }

  @Test
  void exportsOfAClangBuiltDllMatchLlvmReadobj(@TempDir Path tmp) throws Exception {
    Path dll = Tools.buildDll(tmp, "exp.dll",
        "__declspec(dllexport) int Alpha(int x) { return x + 1; }\n"
            + "__declspec(dllexport) int Beta(int x) { return x * 2; }\n"
            + "int Hidden(int x) { return x - 3; }\n",
        "EXPORTS\n  Alpha\n  Beta\n  Hidden @7 NONAME\n  Fwd = other.Target\n", 0x180000000L);
    String out = Tools.run(null, "llvm-readobj", "--coff-exports", dll.toString());
    Matcher m = Pattern.compile("Ordinal: (\\d+)\\s+Name: (\\S*)\\s+RVA: (0x\\p{XDigit}+)").matcher(out);
    List<String> want = new ArrayList<>();
    while (m.find()) if (Long.decode(m.group(3)) != 0) want.add(m.group(1) + " " + m.group(2) + " " + Long.decode(m.group(3)));
    try (PeFile pe = PeFile.open(dll)) {
      List<String> have = new ArrayList<>();
      for (PeFile.Export e : pe.exports()) have.add(e.ordinal() + " " + (e.name() == null ? "" : e.name()) + " " + e.rva());
      assertEquals(want, have);
      PeFile.Export fwd = pe.exports().stream().filter(e -> "Fwd".equals(e.name())).findFirst().orElseThrow();
      assertEquals("other.Target", fwd.forwarder());
      assertNull(pe.exports().stream().filter(e -> "Alpha".equals(e.name())).findFirst().orElseThrow().forwarder());
      // The resolver finds exports at the load base, by name and by ordinal, and follows forwarders.
      ExportResolver r = new ExportResolver().add("exp.dll", pe, 0x7ff800000000L);
      long alpha = pe.exports().stream().filter(e -> "Alpha".equals(e.name())).findFirst().orElseThrow().rva();
      assertEquals(0x7ff800000000L + alpha, r.resolve("EXP.DLL", "Alpha").getAsLong());
      long hidden = pe.exports().stream().filter(e -> e.ordinal() == 7).findFirst().orElseThrow().rva();
      assertEquals(0x7ff800000000L + hidden, r.resolve("exp", "#7").getAsLong());
      assertTrue(r.resolve("exp.dll", "Fwd").isEmpty()); // "other" is not loaded
      assertTrue(r.resolve("exp.dll", "Nope").isEmpty());
    }
  }

  @Test
  void truncatedAndCorruptedPeFilesGiveOnlyInputException() throws Exception {
    byte[] real = Files.readAllBytes(Fixtures.path("pe/WdBoot.sys"));
    Random rnd = new Random(7);
    int accepted = 0;
    for (int i = 0; i < 1500; i++) {
      byte[] bad = i < 300 ? Arrays.copyOf(real, rnd.nextInt(real.length)) : real.clone();
      if (i >= 300) for (int k = 0; k < 3; k++) bad[rnd.nextInt(0x400)] = (byte) rnd.nextInt();
      if (i >= 900) { // hit the DVRT, relocations and import tables too
        for (int k = 0; k < 3; k++) bad[0x9400 + rnd.nextInt(0x340)] = (byte) rnd.nextInt();
        bad[0x3800 + rnd.nextInt(0x800)] = (byte) rnd.nextInt();
      }
      try {
        PeFile pe = PeFile.of(Path.of("bad.sys"), bad);
        pe.exports();
        pe.codeView();
        new PeImage(pe, 0xfffff80000000000L, (d, f) -> java.util.OptionalLong.of(0xfffff80000001000L), PeImage.Options.MEMORY);
        accepted++;
      } catch (InputException expected) {
        // the only acceptable failure
      }
    }
    assertTrue(accepted > 100, "most single-byte corruptions are harmless: " + accepted);
  }

  /** A page block whose size runs past its table is named with the file and offset, in base relocations and in the DVRT alike. */
  @Test
  void pageBlockSizePastItsTableIsNamed() throws Exception {
    byte[] real = Files.readAllBytes(Fixtures.path("pe/WdBoot.sys"));
    PeFile pe = PeFile.of(Path.of("WdBoot.sys"), real);
    long reloc = pe.offsetOf(pe.directoryRva(PeFile.DIR_BASERELOC), 8, "relocations");
    InputException e = assertThrows(InputException.class, () -> withBlockSize(real, reloc + 4).relocations());
    assertEquals("WdBoot.sys: offset 0x" + Long.toHexString(reloc + 4) + ": relocation block size 1048576 is not within the directory", e.getMessage());
    long dvrt = pe.dvrtOffset();
    assertEquals(1, pe.file().u32(dvrt, "version"), "WdBoot.sys has a version 1 DVRT");
    long firstBlock = dvrt + 8 + 12; // after the table header and the first symbol's header
    e = assertThrows(InputException.class, () -> withBlockSize(real, firstBlock + 4).dvrt());
    assertEquals("WdBoot.sys: offset 0x" + Long.toHexString(firstBlock + 4) + ": DVRT block size 1048576 is not within its symbol's fixups", e.getMessage());
  }

  private static PeFile withBlockSize(byte[] real, long at) {
    byte[] bad = real.clone();
    java.nio.ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) at, 1 << 20);
    return PeFile.of(Path.of("WdBoot.sys"), bad);
  }
}
