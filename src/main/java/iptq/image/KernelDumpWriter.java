package iptq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds 64-bit kernel dumps of every type iptq reads (1, 5, 6, 8, 9, 0xA) from page tables it
 * constructs: code bytes are placed at virtual addresses in the kernel's or a process's address
 * space, with 4 KiB, 2 MiB or 1 GiB pages (large-page entries carry the PAT bit 12, which a
 * reader must mask out) or transition PTEs; modules become a PsLoadedModuleList. No public kernel
 * dump is small enough to keep, so tests and the sample generator use this.
 */
public final class KernelDumpWriter {
  public enum PageSize {
    K4(0x1000L), M2(0x200000L), G1(0x40000000L);

    public final long bytes;

    PageSize(long bytes) {
      this.bytes = bytes;
    }
  }

  /** Where the writer puts PsLoadedModuleList and the loader entries, in kernel space. */
  public static final long KERNEL_DATA_VA = 0xFFFFFA8000000000L;

  private static final long TABLE_FLAGS = 0x67; // present, writable, user, accessed, dirty
  private static final long LEAF_FLAGS = 0x63;
  private static final long LARGE = 0x80;
  private static final long PAT_LARGE = 0x1000;

  private record Module(String fullName, long base, long size) {}

  private final TreeMap<Long, byte[]> frames = new TreeMap<>();
  private final List<Long> processCr3 = new ArrayList<>();
  private final List<Module> modules = new ArrayList<>();
  private final long kernelCr3;
  private long nextPfn = 1; // PFN 0 is never used: a zero PFN ends an RDMP range list
  private String comment = "iptq KernelDumpWriter";
  private long bugCheckCode;

  public KernelDumpWriter() {
    kernelCr3 = allocPages(1, 1) << 12;
    frame(kernelCr3 >>> 12);
  }

  public long kernelCr3() {
    return kernelCr3;
  }

  /** A new process address space; its kernel half is the kernel's. Returns its DirectoryTableBase. */
  public long newAddressSpace() {
    long cr3 = allocPages(1, 1) << 12;
    frame(cr3 >>> 12);
    processCr3.add(cr3);
    return cr3;
  }

  public KernelDumpWriter comment(String c) {
    this.comment = c;
    return this;
  }

  public KernelDumpWriter bugCheckCode(long code) {
    this.bugCheckCode = code;
    return this;
  }

  private long allocPages(long n, long align) {
    nextPfn = (nextPfn + align - 1) / align * align;
    long p = nextPfn;
    nextPfn += n;
    return p;
  }

  private byte[] frame(long pfn) {
    return frames.computeIfAbsent(pfn, k -> new byte[KernelDump.PAGE_SIZE]);
  }

  private static long get64(byte[] f, int at) {
    long v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | (f[at + i] & 0xFF);
    return v;
  }

  private static void put64(byte[] f, int at, long v) {
    for (int i = 0; i < 8; i++) f[at + i] = (byte) (v >>> (8 * i));
  }

  /** The next-level table under entry {@code idx} of table {@code pfn}, made if absent. */
  private long table(long pfn, int idx, long va) {
    byte[] t = frame(pfn);
    long e = get64(t, idx * 8);
    if ((e & 1) == 0) {
      long child = allocPages(1, 1);
      frame(child);
      put64(t, idx * 8, child << 12 | TABLE_FLAGS);
      return child;
    }
    if ((e & LARGE) != 0) throw new IllegalArgumentException("0x" + Long.toHexString(va) + " is already in a large page");
    return (e & KernelDump.FRAME_4K) >>> 12;
  }

  /** Maps the page holding {@code va} (if not yet) and returns the physical address of {@code va}. */
  private long map(long cr3, long va, PageSize size, boolean transition) {
    if (transition && size != PageSize.K4) throw new IllegalArgumentException("transition entries are PTEs: 4 KiB pages only");
    long pml4 = cr3 >>> 12;
    long pdpt = table(pml4, (int) (va >>> 39 & 511), va);
    byte[] t = frame(pdpt);
    int i3 = (int) (va >>> 30 & 511);
    if (size == PageSize.G1) {
      long e = get64(t, i3 * 8);
      if ((e & 1) == 0) {
        e = allocPages(1L << 18, 1L << 18) << 12 | LARGE | PAT_LARGE | LEAF_FLAGS;
        put64(t, i3 * 8, e);
      } else if ((e & LARGE) == 0) {
        throw new IllegalArgumentException("0x" + Long.toHexString(va) + " is already mapped with smaller pages");
      }
      return (e & KernelDump.FRAME_1G) | (va & 0x3FFFFFFFL);
    }
    long pd = table(pdpt, i3, va);
    t = frame(pd);
    int i2 = (int) (va >>> 21 & 511);
    if (size == PageSize.M2) {
      long e = get64(t, i2 * 8);
      if ((e & 1) == 0) {
        e = allocPages(512, 512) << 12 | LARGE | PAT_LARGE | LEAF_FLAGS;
        put64(t, i2 * 8, e);
      } else if ((e & LARGE) == 0) {
        throw new IllegalArgumentException("0x" + Long.toHexString(va) + " is already mapped with 4 KiB pages");
      }
      return (e & KernelDump.FRAME_2M) | (va & 0x1FFFFFL);
    }
    long pt = table(pd, i2, va);
    t = frame(pt);
    int i1 = (int) (va >>> 12 & 511);
    long e = get64(t, i1 * 8);
    if (e == 0) {
      long pfn = allocPages(1, 1);
      // A transition PTE: Valid clear, Transition (bit 11) set, Prototype (bit 10) clear,
      // protection in bits 5..9 (6 = read/write/execute), the frame still in place.
      e = transition ? pfn << 12 | 0x800 | 6 << 5 : pfn << 12 | LEAF_FLAGS;
      put64(t, i1 * 8, e);
    }
    return (e & KernelDump.FRAME_4K) | (va & 0xFFF);
  }

  /** Places {@code bytes} at {@code va} in address space {@code cr3}, mapping pages of {@code size}. */
  public KernelDumpWriter write(long cr3, long va, byte[] bytes, PageSize size) {
    return write(cr3, va, bytes, size, false);
  }

  /** As {@link #write(long, long, byte[], PageSize)}; {@code transition} makes new PTEs transition PTEs. */
  public KernelDumpWriter write(long cr3, long va, byte[] bytes, PageSize size, boolean transition) {
    int done = 0;
    while (done < bytes.length) {
      long pa = map(cr3, va + done, size, transition);
      int n = (int) Math.min(bytes.length - done, KernelDump.PAGE_SIZE - (pa & 0xFFF));
      System.arraycopy(bytes, done, frame(pa >>> 12), (int) (pa & 0xFFF), n);
      done += n;
    }
    return this;
  }

  /**
   * A kernel module's in-memory image (relocated, imports rewritten) placed at its base in the
   * kernel's address space and listed in PsLoadedModuleList under {@code fullName}.
   */
  public KernelDumpWriter image(String fullName, PeImage img, PageSize size) {
    write(kernelCr3, img.base(), img.bytes(), size);
    return module(fullName, img.base(), img.size());
  }

  /** A loaded kernel module for PsLoadedModuleList (its code is placed separately with write). */
  public KernelDumpWriter module(String fullName, long base, long size) {
    modules.add(new Module(fullName, base, size));
    return this;
  }

  /** Builds the loader list and shares the kernel half with every process. */
  private void finish() {
    if (!modules.isEmpty()) {
      LeBuffer b = new LeBuffer();
      b.reserve(16);
      long[] entries = new long[modules.size()];
      for (int i = 0; i < modules.size(); i++) {
        b.align(16);
        entries[i] = b.reserve(0xA0);
      }
      for (int i = 0; i < modules.size(); i++) {
        Module m = modules.get(i);
        int e = (int) entries[i];
        long next = i + 1 < modules.size() ? KERNEL_DATA_VA + entries[i + 1] : KERNEL_DATA_VA;
        long prev = i > 0 ? KERNEL_DATA_VA + entries[i - 1] : KERNEL_DATA_VA;
        b.u64(e, next).u64(e + 8, prev).u64(e + 0x30, m.base()).u64(e + 0x38, m.base()).u32(e + 0x40, m.size());
        String base = MinidumpImage.shortName(m.fullName());
        b.align(8);
        int full = b.appendUtf16z(m.fullName());
        b.align(8);
        int shortName = b.appendUtf16z(base);
        int fl = m.fullName().getBytes(StandardCharsets.UTF_16LE).length;
        int bl = base.getBytes(StandardCharsets.UTF_16LE).length;
        b.u16(e + 0x48, fl).u16(e + 0x4A, fl + 2).u64(e + 0x50, KERNEL_DATA_VA + full);
        b.u16(e + 0x58, bl).u16(e + 0x5A, bl + 2).u64(e + 0x60, KERNEL_DATA_VA + shortName);
      }
      b.u64(0, KERNEL_DATA_VA + entries[0]).u64(8, KERNEL_DATA_VA + entries[entries.length - 1]);
      write(kernelCr3, KERNEL_DATA_VA, b.toArray(), PageSize.K4);
    }
    byte[] k = frame(kernelCr3 >>> 12);
    for (long cr3 : processCr3) {
      byte[] p = frame(cr3 >>> 12);
      System.arraycopy(k, 256 * 8, p, 256 * 8, 256 * 8);
    }
  }

  /** The stored pages as runs of consecutive PFNs: {start, count}. */
  private List<long[]> runs() {
    List<long[]> runs = new ArrayList<>();
    for (long pfn : frames.keySet()) {
      long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last[0] + last[1] == pfn) last[1]++;
      else runs.add(new long[] {pfn, 1});
    }
    return runs;
  }

  public byte[] toBytes(int dumpType) {
    finish();
    List<long[]> runs = runs();
    LeBuffer b = new LeBuffer();
    b.reserve(KernelDump.HEADER_SIZE);
    // Real dumps fill unused header space with "PAGE"; so do we, so readers must not trust it.
    for (int i = 0; i < KernelDump.HEADER_SIZE; i += 4) b.u32(i, KernelDump.PAGE);
    b.u32(0, KernelDump.PAGE).u32(4, KernelDump.DU64).u32(8, 15).u32(0xC, 19041)
        .u64(0x10, kernelCr3).u64(0x18, 0).u64(0x20, modules.isEmpty() ? 0 : KERNEL_DATA_VA).u64(0x28, 0)
        .u32(0x30, 0x8664).u32(0x34, 1).u32(0x38, bugCheckCode).u32(0x3C, 0)
        .u64(0x40, 0).u64(0x48, 0).u64(0x50, 0).u64(0x58, 0).u64(0x80, 0);
    List<long[]> described = runs;
    if (runs.size() > KernelDump.MAX_RUNS) {
      if (dumpType == KernelDump.FULL) throw new IllegalStateException(runs.size() + " physical runs: a full dump holds at most " + KernelDump.MAX_RUNS);
      described = List.of(new long[] {0, frames.lastKey() + 1});
    }
    long total = 0;
    for (int i = 0; i < described.size(); i++) {
      b.u64(0x98 + 16L * i, described.get(i)[0]).u64(0xA0 + 16L * i, described.get(i)[1]);
      total += described.get(i)[1];
    }
    b.u32(0x88, described.size()).u32(0x8C, 0).u64(0x90, total);
    for (int i = 0x348; i < 0xF98; i++) b.u8(i, 0); // context and exception record: none
    b.u32(0xF98, dumpType).u32(0xF9C, 0).u64(0xFA8, 0);
    byte[] c = new byte[128];
    byte[] ct = comment.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(ct, 0, c, 0, Math.min(ct.length, 127));
    b.put(0xFB0, c);

    switch (dumpType) {
      case KernelDump.FULL -> {
        for (long[] r : runs) for (long p = r[0]; p < r[0] + r[1]; p++) b.append(frames.get(p));
      }
      case KernelDump.BITMAP, KernelDump.LIVE_BITMAP -> {
        long bits = frames.lastKey() + 1;
        int h = KernelDump.HEADER_SIZE;
        b.u32(h, dumpType == KernelDump.BITMAP ? KernelDump.FDMP : KernelDump.SDMP).u32(h + 4, KernelDump.DUMP);
        long first = (h + 0x38 + (bits + 7) / 8 + 0xFFF) & ~0xFFFL;
        b.u64(h + 0x20, first).u64(h + 0x28, frames.size()).u64(h + 0x30, bits);
        for (long pfn : frames.keySet()) {
          int at = (int) (h + 0x38 + pfn / 8);
          b.u8(at, (b.toArrayByte(at)) | 1 << (pfn % 8));
        }
        b.reserve((int) (first - b.size()));
        for (byte[] f : frames.values()) b.append(f);
      }
      case KernelDump.KERNEL_MEMORY, KernelDump.KERNEL_AND_USER, KernelDump.COMPLETE -> {
        int h = KernelDump.HEADER_SIZE;
        long first = (h + 0x30 + 16L * (runs.size() + 1) + 0xFFF) & ~0xFFFL;
        b.u32(h, 0x40).u32(h + 4, KernelDump.RDMP).u32(h + 8, KernelDump.DUMP).u32(h + 12, 0)
            .u64(h + 0x10, first - h).u64(h + 0x18, first).u64(h + 0x20, 0).u64(h + 0x28, 0);
        if (dumpType == KernelDump.COMPLETE) b.u32(h + 0x20, runs.size()).u64(h + 0x28, frames.size());
        for (int i = 0; i < runs.size(); i++) b.u64(h + 0x30 + 16L * i, runs.get(i)[0]).u64(h + 0x38 + 16L * i, runs.get(i)[1]);
        b.u64(h + 0x30 + 16L * runs.size(), 0).u64(h + 0x38 + 16L * runs.size(), 0);
        b.reserve((int) (first - b.size()));
        for (long[] r : runs) for (long p = r[0]; p < r[0] + r[1]; p++) b.append(frames.get(p));
      }
      default -> throw new IllegalArgumentException("dump type " + dumpType + " is not one the writer makes");
    }
    b.u64(0xFA0, b.size()); // RequiredDumpSpace
    return b.toArray();
  }

  public void write(Path path, int dumpType) {
    try {
      Files.write(path, toBytes(dumpType));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Physical pages the dump will hold (page tables included). */
  public int pageCount() {
    return frames.size();
  }

  Map<Long, byte[]> framesForTest() {
    return frames;
  }
}
