package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressSpacesTest {
  static final long PID = 100, OTHER = 200;
  static final long APP = 0x140000000L, TCPIP = 0xfffff80312340000L, USERLIB = 0x7ff600000000L;

  @Test
  void eachModuleGetsTheBestSourceAndProcessesSeeTheirOwnCode(@TempDir Path tmp) throws Exception {
    Path stubs = Files.createDirectory(tmp.resolve("stubs"));
    PeFile wd = PeFile.open(Fixtures.path("pe/WdBoot.sys"));
    DvrtTest.kernelStubs(stubs, wd); // builds ntoskrnl.exe and cng.sys exporting WdBoot's imports
    PeFile nt = PeFile.open(stubs.resolve("ntoskrnl.exe"));
    PeFile cng = PeFile.open(stubs.resolve("cng.sys"));

    byte[] appCode = new byte[0x2000];
    new java.util.Random(9).nextBytes(appCode);
    Path md = tmp.resolve("app.dmp");
    new MinidumpWriter().processId(PID)
        .module(new MinidumpWriter.ModuleSpec("C:\\app\\app.exe", APP, 0x3000, 0, 0, null))
        .memory(APP + 0x1000, appCode).write(md);

    KernelDumpWriter kw = new KernelDumpWriter();
    long dtb = kw.newAddressSpace();
    byte[] tcp = new byte[0x1000];
    new java.util.Random(10).nextBytes(tcp);
    byte[] lib = new byte[0x1000];
    new java.util.Random(11).nextBytes(lib);
    kw.write(kw.kernelCr3(), TCPIP, tcp, KernelDumpWriter.PageSize.K4)
        .write(dtb, USERLIB, lib, KernelDumpWriter.PageSize.K4)
        .module("\\SystemRoot\\System32\\drivers\\tcpip.sys", TCPIP, 0x1000);
    Path kd = tmp.resolve("live.dmp");
    kw.write(kd, KernelDump.LIVE_BITMAP);

    byte[] rawBytes = {(byte) 0x90, (byte) 0xC3};
    RawImage raw = new RawImage(List.of(new RawImage.Section(0x10000000L, rawBytes, "blob.bin")));

    long wdBase = DvrtTest.WDBOOT_BASE;
    List<ModuleRecord> mods = List.of(
        ModuleRecord.loaded("\\SystemRoot\\system32\\ntoskrnl.exe", DvrtTest.NT_BASE, nt.sizeOfImage(), 0, nt.timeDateStamp(), nt.checkSum()),
        ModuleRecord.loaded("\\SystemRoot\\System32\\drivers\\cng.sys", DvrtTest.CNG_BASE, cng.sizeOfImage(), 0, 0, 0),
        ModuleRecord.loaded("\\SystemRoot\\System32\\drivers\\WdBoot.sys", wdBase, wd.sizeOfImage(), 0, wd.timeDateStamp(), wd.checkSum()),
        ModuleRecord.loaded("\\SystemRoot\\System32\\drivers\\tcpip.sys", TCPIP, 0x1000, 0, 0, 0),
        ModuleRecord.loaded("\\SystemRoot\\System32\\drivers\\gone.sys", 0xfffff80700000000L, 0x1000, 0, 0, 0),
        ModuleRecord.loaded("C:\\app\\app.exe", APP, 0x3000, PID, 0, 0),
        ModuleRecord.loaded("C:\\Windows\\System32\\userlib.dll", USERLIB, 0x1000, OTHER, 0, 0),
        ModuleRecord.loaded("C:\\blob.bin", 0x10000000L, 2, PID, 0, 0));
    try (AddressSpaces as = AddressSpaces.builder().modules(mods).dump(md).dump(kd)
          .process(OTHER, dtb, 0x7777000L).imagePath(List.of(stubs, Fixtures.path("pe/WdBoot.sys"))).raw(raw).build()) {
      Map<String, String> src = new LinkedHashMap<>();
      for (AddressSpaces.Resolved r : as.resolved()) src.put(r.module().fileName(), r.codeSource());
      assertEquals(Map.of("ntoskrnl.exe", "pe", "cng.sys", "pe", "WdBoot.sys", "pe+dvrt", "tcpip.sys", "kernel-dump",
          "gone.sys", "none", "app.exe", "minidump", "userlib.dll", "kernel-dump", "blob.bin", "raw"), src);
      assertEquals(List.of(), as.warnings());

      CodeImage p100 = as.image(PID, 0), p200 = as.image(OTHER, 0);
      byte[] b = new byte[16];
      // Kernel modules are shared by all processes; each process sees only its own user modules.
      for (CodeImage img : List.of(p100, p200)) {
        assertEquals(16, img.read(CodeImage.ANY_ASID, TCPIP, b, 0, 16));
        assertArrayEquals(java.util.Arrays.copyOf(tcp, 16), b);
      }
      assertEquals(16, p100.read(CodeImage.ANY_ASID, APP + 0x1000, b, 0, 16));
      assertArrayEquals(java.util.Arrays.copyOf(appCode, 16), b);
      assertEquals(0, p200.read(CodeImage.ANY_ASID, APP + 0x1000, b, 0, 16));
      assertEquals(16, p200.read(dtb, USERLIB, b, 0, 16));
      assertArrayEquals(java.util.Arrays.copyOf(lib, 16), b);
      assertEquals(0, p100.read(dtb, USERLIB, b, 0, 16));
      assertEquals(2, p100.read(0, 0x10000000L, b, 0, 16));
      assertEquals(0, p100.read(0, 0xfffff80700000000L, b, 0, 16)); // no source: no code
      assertEquals("gone.sys+0x10", p100.describe(0, 0xfffff80700000010L));
      assertTrue(((SiteNotes) p100).siteNote(0, 0xfffff80700000010L).contains("no code for module gone.sys"));
      // The trace-wide image picks the process by CR3.
      assertEquals(16, as.image(0).read(dtb, USERLIB, b, 0, 16));
      assertEquals(OTHER, as.pidOfAsid(dtb));
      assertEquals(OTHER, as.pidOfAsid(0x7777000L | 0x2)); // user CR3 with a PCID in its low bits
      assertEquals(-1, as.pidOfAsid(0x1234000L));
      // WdBoot's import sites are rewritten to direct calls into the stub ntoskrnl.
      byte[] site = new byte[12];
      assertEquals(12, p100.read(0, wdBase + 0x702a, site, 0, 12));
      assertEquals(0x4C, site[0] & 0xFF);
      assertEquals(0xE8, site[7] & 0xFF);
      assertTrue(as.unfixableAt(PID, wdBase + 0x702a, 0).isEmpty());

      // Without the emulation the file's indirect call is what a decoder sees.
      AddressSpaces off = AddressSpaces.builder().modules(mods).imagePath(List.of(stubs, Fixtures.path("pe/WdBoot.sys")))
          .importOptimization(false).build();
      off.image(PID, 0).read(0, wdBase + 0x702a, site, 0, 12);
      assertEquals(0x48, site[0] & 0xFF);
      assertEquals(0x0F, site[7] & 0xFF);
      assertEquals("pe", off.resolved().get(2).codeSource());
    } finally {
      wd.close();
      nt.close();
      cng.close();
    }
  }

  @Test
  void mismatchedFilesWarnWithBothValuesAndUnloadedRangesFollowTime(@TempDir Path tmp) {
    Path wdPath = Fixtures.path("pe/WdBoot.sys");
    long base = DvrtTest.WDBOOT_BASE;
    List<ModuleRecord> mods = List.of(
        new ModuleRecord("WdBoot.sys", base, 0x10000, 4, 0, 1000, 0x12345678L, 0),
        new ModuleRecord("other.sys", base, 0x10000, 4, 1000, Long.MAX_VALUE, 0, 0));
    AddressSpaces as = AddressSpaces.builder().modules(mods).imagePath(List.of(wdPath)).build();
    assertEquals(1, as.warnings().size());
    String w = as.warnings().get(0);
    assertTrue(w.contains("TimeDateStamp 0x95b838a0 (trace: 0x12345678)"), w);
    // Unresolved imports (ntoskrnl is not on the path) leave unfixable sites that can be named.
    var site = as.unfixableAt(4, base + 0x702a + 3, 10).orElseThrow();
    assertEquals("ntoskrnl.exe", site.dll());
    String note = ((SiteNotes) as.image(10)).siteNote(CodeImage.ANY_ASID, base + 0x702a);
    assertTrue(note.startsWith("unfixable import site at 0x" + Long.toHexString(base + 0x702a) + " (ntoskrnl.exe!"), note);
    assertNull(((SiteNotes) as.image(10)).siteNote(CodeImage.ANY_ASID, base + 0x1000));
    assertEquals("WdBoot.sys+0x702a", as.image(4, 10).describe(0, base + 0x702a));
    assertEquals("other.sys+0x702a", as.image(4, 2000).describe(0, base + 0x702a));
    assertNull(as.image(4, -5).describe(0, base + 0x702a));
  }
}
