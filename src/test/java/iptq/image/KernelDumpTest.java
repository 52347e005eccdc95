package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import iptq.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelDumpTest {
  static final int[] TYPES = {KernelDump.FULL, KernelDump.BITMAP, KernelDump.LIVE_BITMAP,
      KernelDump.KERNEL_MEMORY, KernelDump.KERNEL_AND_USER, KernelDump.COMPLETE};

  record Placed(long cr3, long va, byte[] bytes, KernelDumpWriter.PageSize size) {}

  /** A dump with code on every page size, a transition page, a process, and three modules. */
  static final class Scene {
    final KernelDumpWriter w = new KernelDumpWriter();
    final long process = w.newAddressSpace();
    final List<Placed> placed = new ArrayList<>();
    final Random rnd = new Random(42);

    Scene() {
      put(w.kernelCr3(), 0xfffff80312340ff0L, 0x2100, KernelDumpWriter.PageSize.K4); // spans 3 pages
      put(w.kernelCr3(), 0xfffff80400123456L, 0x3000, KernelDumpWriter.PageSize.M2);
      put(w.kernelCr3(), 0xfffff80540000000L + 0x2345678L, 0x1800, KernelDumpWriter.PageSize.G1);
      put(process, 0x7ff600001000L, 0x1000, KernelDumpWriter.PageSize.K4);
      put(process, 0x7ff700000000L + 0x10000, 0x800, KernelDumpWriter.PageSize.M2);
      byte[] t = bytes(0x1000);
      w.write(w.kernelCr3(), 0xfffff80377770000L, t, KernelDumpWriter.PageSize.K4, true);
      placed.add(new Placed(w.kernelCr3(), 0xfffff80377770000L, t, KernelDumpWriter.PageSize.K4));
      w.module("\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400000000L, 0xab6000)
          .module("\\SystemRoot\\System32\\drivers\\tcpip.sys", 0xfffff80312340000L, 0x2b6000)
          .module("\\SystemRoot\\System32\\drivers\\WdBoot.sys", 0xfffff80540000000L, 0x10000);
    }

    byte[] bytes(int n) {
      byte[] b = new byte[n];
      rnd.nextBytes(b);
      return b;
    }

    void put(long cr3, long va, int n, KernelDumpWriter.PageSize size) {
      byte[] b = bytes(n);
      w.write(cr3, va, b, size);
      placed.add(new Placed(cr3, va, b, size));
    }
  }

  @Test
  void everyTypeTranslatesEveryPageSizeAndListsModules() {
    Scene s = new Scene();
    for (int type : TYPES) {
      byte[] bytes = s.w.toBytes(type);
      KernelDump d = KernelDump.of(Path.of("type" + type + ".dmp"), bytes);
      assertEquals(type, d.dumpType());
      assertEquals(s.w.kernelCr3(), d.directoryTableBase());
      assertEquals(s.w.pageCount(), d.storedPages());
      for (Placed p : s.placed) {
        byte[] got = new byte[p.bytes().length];
        assertEquals(got.length, d.readVirtual(p.cr3(), p.va(), got, 0, got.length), "type " + type + " at 0x" + Long.toHexString(p.va()));
        assertArrayEquals(p.bytes(), got);
        long pa = d.translate(p.cr3(), p.va());
        long mask = p.size().bytes - 1;
        assertEquals(p.va() & mask, pa & mask, "offset within the page survives translation");
      }
      // The kernel half is shared with the process; user space is not in the kernel's tables.
      Placed k = s.placed.get(0), u = s.placed.get(3);
      assertEquals(d.translate(s.w.kernelCr3(), k.va()), d.translate(s.process, k.va()));
      assertEquals(-1, d.translate(s.w.kernelCr3(), u.va()));
      assertEquals(-1, d.translate(s.w.kernelCr3(), 0xfffff80999990000L));
      // Large-page entries carry PAT (bit 12); the reader masked it.
      long pml4e = pte(d, s.w.kernelCr3(), 0xfffff80400123456L, 39);
      long pdpte = pte(d, pml4e & KernelDump.FRAME_4K, 0xfffff80400123456L, 30);
      long pde = pte(d, pdpte & KernelDump.FRAME_4K, 0xfffff80400123456L, 21);
      assertEquals(0x1080, pde & 0x1080);
      // The transition page's PTE is not valid, yet its bytes were read above.
      long tva = 0xfffff80377770000L;
      long t4 = pte(d, s.w.kernelCr3(), tva, 39), t3 = pte(d, t4, tva, 30), t2 = pte(d, t3, tva, 21), t1 = pte(d, t2, tva, 12);
      assertEquals(0x800, t1 & 0xC01);
      List<String> names = new ArrayList<>();
      for (KernelDump.KernelModule m : d.modules()) names.add(m.name() + " " + Long.toHexString(m.base()) + " " + Long.toHexString(m.size()));
      assertEquals(List.of("ntoskrnl.exe fffff80400000000 ab6000", "tcpip.sys fffff80312340000 2b6000",
          "WdBoot.sys fffff80540000000 10000"), names);
      assertEquals("\\SystemRoot\\system32\\ntoskrnl.exe", d.modules().get(0).fullName());
      // As a code image: kernel addresses through any asid, user ones through the process's.
      KernelDumpImage img = new KernelDumpImage(d);
      byte[] b = new byte[16];
      assertEquals(16, img.read(s.process, k.va(), b, 0, 16));
      assertArrayEquals(Arrays.copyOf(k.bytes(), 16), b);
      assertEquals(16, img.read(CodeImage.ANY_ASID, k.va(), b, 0, 16));
      assertEquals(16, img.read(s.process, u.va(), b, 0, 16));
      assertArrayEquals(Arrays.copyOf(u.bytes(), 16), b);
      assertEquals(0, img.read(CodeImage.ANY_ASID, u.va(), b, 0, 16));
      assertEquals("tcpip.sys+0xff0", img.describe(s.process, k.va()));
      assertEquals("ntoskrnl.exe+0x123456", img.describe(CodeImage.ANY_ASID, 0xfffff80400123456L));
      assertTrue(img.covers(CodeImage.ANY_ASID, 0xfffff80400123456L, 0x3000));
      assertFalse(img.covers(CodeImage.ANY_ASID, 0xfffff80999990000L, 1));
      // A read stops at the end of what is mapped.
      byte[] big = new byte[0x3000];
      assertEquals(0x1000, img.read(s.process, u.va(), big, 0, big.length));
    }
  }

  private static long pte(KernelDump d, long table, long va, int shift) {
    byte[] e = new byte[8];
    assertEquals(8, d.readPhysical((table & KernelDump.FRAME_4K) + ((va >>> shift) & 511) * 8, e, 0, 8));
    return java.nio.ByteBuffer.wrap(e).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Test
  void writesToFileAndReadsThroughMapping(@TempDir Path tmp) {
    Scene s = new Scene();
    Path p = tmp.resolve("live.dmp");
    s.w.write(p, KernelDump.LIVE_BITMAP);
    try (KernelDump d = KernelDump.open(p)) {
      Placed g = s.placed.get(2);
      byte[] got = new byte[g.bytes().length];
      assertEquals(got.length, d.readVirtual(g.cr3(), g.va(), got, 0, got.length));
      assertArrayEquals(g.bytes(), got);
      assertEquals(3, d.modules().size());
    }
  }

  @Test
  void corruptAndTruncatedDumpsGiveOnlyInputException() {
    Scene s = new Scene();
    Random rnd = new Random(3);
    for (int type : TYPES) {
      byte[] good = s.w.toBytes(type);
      for (int i = 0; i < 150; i++) {
        byte[] bad;
        if (i < 40) {
          bad = Arrays.copyOf(good, rnd.nextInt(good.length));
        } else {
          bad = good.clone();
          int region = i % 3 == 0 ? 0x1000 : i % 3 == 1 ? 0x2100 : bad.length;
          for (int k = 0; k < 4; k++) {
            int at = rnd.nextInt(region);
            if (i % 3 == 0) at = 0x80 + rnd.nextInt(0x40) + (rnd.nextBoolean() ? 0xF00 : 0);
            bad[at] = (byte) rnd.nextInt();
          }
        }
        try {
          KernelDump d = KernelDump.of(Path.of("bad.dmp"), bad);
          d.modules();
          new KernelDumpImage(d).read(s.process, 0x7ff600001000L, new byte[0x2000], 0, 0x2000);
        } catch (InputException expected) {
          // fine
        }
      }
    }
    InputException e = assertThrows(InputException.class, () -> KernelDump.of(Path.of("x.dmp"), new byte[100]));
    assertTrue(e.getMessage().startsWith("x.dmp: offset 0x0: "), e.getMessage());
  }
}
