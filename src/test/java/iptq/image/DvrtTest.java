package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import capstone.Capstone;
import iptq.testing.Fixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DvrtTest {
  static final long WDBOOT_BASE = 0xfffff80512340000L;
  static final long NT_BASE = 0xfffff80500000000L;
  static final long CNG_BASE = 0xfffff80510000000L;

  @TempDir static Path shared;
  private static ExportResolver stubs;

  /** The stubs, built once for this class's tests (clang + lld-link take seconds). */
  private static synchronized ExportResolver stubs(PeFile wdboot) throws Exception {
    if (stubs == null) stubs = kernelStubs(shared, wdboot);
    return stubs;
  }

  @Test
  void wdBootDvrtCounts() {
    try (PeFile pe = PeFile.open(Fixtures.path("pe/WdBoot.sys"))) {
      Dvrt d = pe.dvrt();
      assertEquals(1, d.version());
      assertEquals(0x9400 + 0x30, d.fileOffset()); // offset 0x30 of section 10 (.reloc)
      assertEquals(144, d.importControlTransfers().size());
      assertEquals(15, d.indirectControlTransfers().size());
      assertTrue(d.switchableBranches().isEmpty());
      // Every import site's instruction reads the IAT slot its DVRT entry names.
      byte[] img = pe.mapImage();
      long iat = pe.directoryRva(PeFile.DIR_IAT);
      int calls = 0;
      for (Dvrt.ImportControlTransfer s : d.importControlTransfers()) {
        int r = (int) s.rva();
        assertEquals(0x48, img[r] & 0xFF);
        assertEquals(0xFF, img[r + 1] & 0xFF);
        assertEquals(s.indirectCall() ? 0x15 : 0x25, img[r + 2] & 0xFF);
        int disp = (img[r + 3] & 0xFF) | (img[r + 4] & 0xFF) << 8 | (img[r + 5] & 0xFF) << 16 | img[r + 6] << 24;
        assertEquals(iat + 8L * s.iatIndex(), r + 7L + disp);
        assertNotNull(pe.importAtSlot(iat + 8L * s.iatIndex()));
        if (s.indirectCall()) calls++;
      }
      assertEquals(0x2611, d.importControlTransfers().get(0).rva());
      assertFalse(d.importControlTransfers().get(0).indirectCall());
      assertTrue(calls > 100);
      // Indirect control transfers are the CFG dispatch calls (FF 15) and one jmp rax.
      for (Dvrt.IndirectControlTransfer s : d.indirectControlTransfers()) {
        assertEquals(0xFF, img[(int) s.rva()] & 0xFF, "site 0x" + Long.toHexString(s.rva()));
      }
    }
  }

  @Test
  void version2LayoutOfTheSameTableGivesTheSameEntries() throws Exception {
    // WdBoot's table rewritten as version 2 (IMAGE_DYNAMIC_RELOCATION64_V2 headers: HeaderSize,
    // FixupInfoSize, Symbol, SymbolGroup, Flags) with the same fixups; .reloc has room for it.
    byte[] f = java.nio.file.Files.readAllBytes(Fixtures.path("pe/WdBoot.sys"));
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(f.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int at = 0x9400 + 0x30;
    int size = in.getInt(at + 4);
    java.io.ByteArrayOutputStream v2 = new java.io.ByteArrayOutputStream();
    int p = at + 8;
    while (p < at + 8 + size) {
      long symbol = in.getLong(p);
      int fix = in.getInt(p + 8);
      java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      h.putInt(24).putInt(fix).putLong(symbol).putInt(0).putInt(0);
      v2.write(h.array());
      v2.write(f, p + 12, fix);
      p += 12 + fix;
    }
    byte[] body = v2.toByteArray();
    assertTrue(at + 8 + body.length <= 0x9400 + 0x400);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.putInt(at, 2).putInt(at + 4, body.length);
    System.arraycopy(body, 0, f, at + 8, body.length);
    try (PeFile v1 = PeFile.open(Fixtures.path("pe/WdBoot.sys")); PeFile pe = PeFile.of(Path.of("WdBoot-v2.sys"), f)) {
      assertEquals(2, pe.dvrt().version());
      assertEquals(v1.dvrt().importControlTransfers(), pe.dvrt().importControlTransfers());
      assertEquals(v1.dvrt().indirectControlTransfers(), pe.dvrt().indirectControlTransfers());
    }
  }

  /** "Kernel" modules built with clang + lld-link exporting every function WdBoot imports. */
  static ExportResolver kernelStubs(Path tmp, PeFile wdboot) throws Exception {
    Map<String, StringBuilder> src = new LinkedHashMap<>();
    Map<String, StringBuilder> def = new LinkedHashMap<>();
    int n = 0;
    for (PeFile.Import i : wdboot.imports()) {
      String dll = i.dll().toLowerCase();
      src.computeIfAbsent(dll, k -> new StringBuilder());
      def.computeIfAbsent(dll, k -> new StringBuilder("EXPORTS\n"));
      // Each stub does something different so that no two share an address after folding.
      src.get(dll).append("long long stub_").append(i.function()).append("(long long x) { return x * ")
          .append(++n + 2).append(" + ").append(n).append("; }\n");
      def.get(dll).append("  ").append(i.function()).append(" = stub_").append(i.function()).append("\n");
    }
    ExportResolver r = new ExportResolver();
    for (String dll : src.keySet()) {
      long base = dll.startsWith("ntoskrnl") ? NT_BASE : CNG_BASE;
      Path built = Tools.buildDll(tmp, dll, src.get(dll).toString(), def.get(dll).toString(), base);
      r.add(dll, PeFile.open(built), base);
    }
    return r;
  }

  @Test
  void importSitesBecomeMovR10AndDirectCallsToTheResolvedExports() throws Exception {
    iptq.testing.Required.capstone();
    Capstone cs = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64);
    try (PeFile pe = PeFile.open(Fixtures.path("pe/WdBoot.sys"))) {
      ExportResolver resolver = stubs(pe);
      PeImage mem = new PeImage(pe, WDBOOT_BASE, resolver, PeImage.Options.MEMORY);
      PeImage file = new PeImage(pe, WDBOOT_BASE, resolver, PeImage.Options.FILE_BYTES);
      assertEquals(144, mem.rewrittenSites().size());
      assertEquals(List.of(), mem.unfixableSites());
      assertTrue(file.rewrittenSites().isEmpty());
      byte[] site = new byte[PeImage.SITE_LENGTH];
      for (PeImage.RewrittenSite s : mem.rewrittenSites()) {
        long expected = resolver.resolve(s.dll(), s.function()).getAsLong();
        assertEquals(expected, s.target());
        assertTrue(expected >= NT_BASE && expected < CNG_BASE + 0x100000);
        // capstone, an independent disassembler, sees the forms the seed shows.
        mem.read(0, s.address(), site, 0, site.length);
        Capstone.CsInsn[] in = cs.disasm(site, s.address());
        assertEquals(2, in.length, "site 0x" + Long.toHexString(s.address()));
        assertEquals("mov", in[0].mnemonic);
        assertTrue(in[0].opStr.matches("r10, qword ptr \\[rip [+-] 0x\\p{XDigit}+\\]"), in[0].opStr);
        assertEquals(7, in[0].size);
        assertEquals(s.call() ? "call" : "jmp", in[1].mnemonic);
        assertEquals(5, in[1].size);
        assertEquals("0x" + Long.toHexString(expected), in[1].opStr);
        // The file's form is the indirect one, of the same total length.
        file.read(0, s.address(), site, 0, site.length);
        Capstone.CsInsn[] orig = cs.disasm(site, s.address(), 1);
        assertEquals(s.call() ? "call" : "jmp", orig[0].mnemonic);
        assertTrue(orig[0].opStr.matches("qword ptr \\[rip [+-] 0x\\p{XDigit}+\\]"), orig[0].opStr);
        assertEquals(7, orig[0].size);
        // The loader's IAT slot holds the same target the direct call reaches.
        String d = in[0].opStr.replaceAll(".*rip ([+-]) 0x(\\p{XDigit}+)\\]", "$1$2");
        long slot = s.address() + 7 + Long.parseLong(d, 16);
        assertEquals(orig[0].opStr, in[0].opStr.substring(5), "same memory operand");
        byte[] q = new byte[8];
        mem.read(0, slot, q, 0, 8);
        assertEquals(expected, java.nio.ByteBuffer.wrap(q).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
      }
    } finally {
      cs.close();
    }
  }

  @Test
  void rewrittenImagesGoIntoDumpsAsTheyWouldBeInMemory() throws Exception {
    try (PeFile pe = PeFile.open(Fixtures.path("pe/WdBoot.sys"))) {
      PeImage mem = new PeImage(pe, WDBOOT_BASE, stubs(pe), PeImage.Options.MEMORY);
      KernelDumpWriter kw = new KernelDumpWriter().image("\\SystemRoot\\System32\\drivers\\WdBoot.sys", mem, KernelDumpWriter.PageSize.K4);
      KernelDumpImage k = new KernelDumpImage(KernelDump.of(Path.of("k.dmp"), kw.toBytes(KernelDump.LIVE_BITMAP)));
      Minidump md = Minidump.of(Path.of("m.dmp"), new MinidumpWriter().image("C:\\WdBoot.sys", mem).toBytes());
      assertEquals("WdBoot.sys", k.dump().modules().get(0).name());
      assertEquals(pe.codeView().debugId(), md.modules().get(0).codeView().debugId());
      assertEquals(pe.timeDateStamp(), md.modules().get(0).timeDateStamp());
      MinidumpImage m = new MinidumpImage(md);
      byte[] want = mem.bytes(), a = new byte[want.length], b = new byte[want.length];
      assertEquals(want.length, k.read(CodeImage.ANY_ASID, WDBOOT_BASE, a, 0, a.length));
      assertEquals(want.length, m.read(CodeImage.ANY_ASID, WDBOOT_BASE, b, 0, b.length));
      assertArrayEquals(want, a);
      assertArrayEquals(want, b);
      assertEquals(0xE8, a[0x702a + 7] & 0xFF);
    }
  }

  @Test
  void sitesWhoseModuleIsNotLoadedAreUnfixableAndNamed() throws Exception {
    try (PeFile pe = PeFile.open(Fixtures.path("pe/WdBoot.sys"))) {
      ExportResolver all = stubs(pe);
      ImportResolver ntOnly = (dll, f) -> dll.equalsIgnoreCase("cng.sys") ? OptionalLong.empty() : all.resolve(dll, f);
      PeImage img = new PeImage(pe, WDBOOT_BASE, ntOnly, PeImage.Options.MEMORY);
      assertFalse(img.unfixableSites().isEmpty());
      assertEquals(144, img.unfixableSites().size() + img.rewrittenSites().size());
      for (PeImage.UnfixableSite u : img.unfixableSites()) {
        assertEquals("cng.sys", u.dll());
        assertTrue(u.describe().contains("cng.sys!" + u.function()), u.describe());
        assertEquals(u, img.unfixableAt(u.address() + 7).orElseThrow());
        byte[] b = new byte[3];
        img.read(0, u.address(), b, 0, 3);
        assertArrayEquals(new byte[] {0x48, (byte) 0xFF, u.address() == WDBOOT_BASE + 0x2611 ? (byte) 0x25 : (byte) 0x15}, b);
      }
      assertTrue(img.unfixableAt(WDBOOT_BASE + 0x1000).isEmpty());
      // Out of rel32 reach: the kernel could not have done it either.
      ImportResolver far = (dll, f) -> OptionalLong.of(0x7ff000000000L);
      assertEquals(144, new PeImage(pe, WDBOOT_BASE, far, PeImage.Options.MEMORY).unfixableSites().size());
    }
  }
}
