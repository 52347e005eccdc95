package iptq.image;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A 64-bit Windows kernel dump ({@code PAGE}/{@code DU64}): full (type 1), bitmap (5, and 6 = the
 * live kernel dump Task Manager writes) and the RDMP types (8 kernel memory, 9 kernel and user,
 * 0xA complete). It finds each stored physical page, translates virtual addresses through the
 * x64 page tables (4 KiB, 2 MiB and 1 GiB pages, transition PTEs) from any DirectoryTableBase,
 * and walks PsLoadedModuleList for the loaded kernel modules.
 */
public final class KernelDump implements Closeable {
  public static final int PAGE = 0x45474150; // "PAGE"
  public static final int DU64 = 0x34365544; // "DU64"
  public static final int HEADER_SIZE = 0x2000;
  public static final int PAGE_SIZE = 0x1000;

  public static final int FULL = 1, KERNEL = 2, BITMAP = 5, LIVE_BITMAP = 6, KERNEL_MEMORY = 8,
      KERNEL_AND_USER = 9, COMPLETE = 0xA;

  static final int SDMP = 0x504D4453, FDMP = 0x504D4446, DUMP = 0x504D5544, RDMP = 0x504D4452;
  static final int MAX_RUNS = (0x348 - 0x98) / 16;

  static final long FRAME_4K = 0x000FFFFFFFFFF000L;
  static final long FRAME_2M = 0x000FFFFFFFE00000L;
  static final long FRAME_1G = 0x000FFFFFC0000000L;

  /** A loaded kernel module from PsLoadedModuleList. */
  public record KernelModule(String name, String fullName, long base, long size) {
    public long end() {
      return base + size;
    }
  }

  private final BinFile file;
  private final int dumpType;
  private final long directoryTableBase;
  private final long pfnDataBase;
  private final long psLoadedModuleList;
  private final long psActiveProcessHead;
  private final int machineImageType;
  private final int numberProcessors;
  private final long bugCheckCode;
  private final long kdDebuggerDataBlock;
  private final String comment;

  // Stored pages as runs (full, RDMP) or as a bitmap with per-word ranks (bitmap types).
  private long[] runPfn = new long[0], runCount = new long[0], runFile = new long[0];
  private long bitmapOffset = -1, bitmapBits, firstPage;
  private long[] rank;
  private long storedPages;

  private List<KernelModule> modules;

  private static final int TLB = 256;
  private final long[] tlbCr3 = new long[TLB], tlbVpn = new long[TLB], tlbPa = new long[TLB];

  private KernelDump(BinFile f) {
    this.file = f;
    if (f.size() < HEADER_SIZE) throw f.error(0, "a kernel dump needs a 0x2000-byte header; the file has " + f.size() + " bytes");
    if (f.u32(0, "signature") != PAGE || f.u32(4, "ValidDump") != DU64) {
      throw f.error(0, "not a 64-bit kernel dump (no PAGE/DU64 signature)");
    }
    directoryTableBase = f.u64(0x10, "DirectoryTableBase");
    pfnDataBase = f.u64(0x18, "PfnDataBase");
    psLoadedModuleList = f.u64(0x20, "PsLoadedModuleList");
    psActiveProcessHead = f.u64(0x28, "PsActiveProcessHead");
    machineImageType = (int) f.u32(0x30, "MachineImageType");
    numberProcessors = (int) f.u32(0x34, "NumberProcessors");
    bugCheckCode = f.u32(0x38, "BugCheckCode");
    kdDebuggerDataBlock = f.u64(0x80, "KdDebuggerDataBlock");
    dumpType = (int) f.u32(0xF98, "DumpType");
    byte[] c = f.bytes(0xFB0, 128, "Comment");
    int n = 0;
    while (n < c.length && c[n] != 0) n++;
    comment = iptq.Printable.of(new String(c, 0, n, StandardCharsets.ISO_8859_1).replace("PAGE", "").trim());
    switch (dumpType) {
      case FULL -> parseRuns();
      case BITMAP, LIVE_BITMAP -> parseBitmap();
      case KERNEL_MEMORY, KERNEL_AND_USER, COMPLETE -> parseRdmp();
      default -> throw f.error(0xF98, "kernel dump type " + dumpType + " is not supported (1, 5, 6, 8, 9, 0xA are)");
    }
    java.util.Arrays.fill(tlbVpn, -1);
  }

  public static KernelDump open(Path path) {
    BinFile f = BinFile.open(path);
    try {
      return new KernelDump(f);
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  public static KernelDump of(Path name, byte[] data) {
    return new KernelDump(BinFile.of(name, data));
  }

  private void parseRuns() {
    long runs = file.u32(0x88, "NumberOfRuns");
    if (runs > MAX_RUNS) throw file.error(0x88, "NumberOfRuns " + runs + " exceeds the " + MAX_RUNS + " the header can hold");
    long pages = file.u64(0x90, "NumberOfPages");
    long maxPages = (file.size() - HEADER_SIZE) / PAGE_SIZE;
    runPfn = new long[(int) runs];
    runCount = new long[(int) runs];
    runFile = new long[(int) runs];
    long at = HEADER_SIZE, total = 0;
    for (int i = 0; i < runs; i++) {
      long base = file.u64(0x98 + 16L * i, "run BasePage");
      long count = file.u64(0xA0 + 16L * i, "run PageCount");
      if (count < 0 || count > maxPages - total) {
        throw file.error(0xA0 + 16L * i, "run " + i + " of " + count + " pages runs past the end of the file ("
            + maxPages + " pages stored)");
      }
      if (i > 0 && Long.compareUnsigned(base, runPfn[i - 1] + runCount[i - 1]) < 0) {
        throw file.error(0x98 + 16L * i, "run " + i + " at page 0x" + Long.toHexString(base) + " overlaps or precedes the run before it");
      }
      runPfn[i] = base;
      runCount[i] = count;
      runFile[i] = at;
      at += count * PAGE_SIZE;
      total += count;
    }
    if (pages != total) throw file.error(0x90, "NumberOfPages " + pages + " is not the runs' total " + total);
    storedPages = total;
  }

  private void parseBitmap() {
    long h = HEADER_SIZE;
    long sig = file.u32(h, "bitmap header signature");
    if ((sig != SDMP && sig != FDMP) || file.u32(h + 4, "bitmap header ValidDump") != DUMP) {
      throw file.error(h, "bitmap dump without an SDMP/FDMP + DUMP header");
    }
    firstPage = file.u64(h + 0x20, "FirstPage");
    long present = file.u64(h + 0x28, "TotalPresentPages");
    bitmapBits = file.u64(h + 0x30, "bitmap bit count");
    bitmapOffset = h + 0x38;
    if (bitmapBits < 0 || bitmapBits > (file.size() - bitmapOffset) * 8) {
      throw file.error(h + 0x30, "bitmap of " + Long.toUnsignedString(bitmapBits) + " bits runs past the end of the file");
    }
    if (bitmapBits > 1L << 36) throw file.error(h + 0x30, "bitmap of " + bitmapBits + " bits describes more than 256 TiB");
    long words = (bitmapBits + 63) / 64;
    // Ranks per 8 words (512 pages): one long per 64 bytes of bitmap keeps memory at 1/8 of it.
    rank = new long[(int) ((words + 7) >>> 3) + 1];
    long count = 0;
    for (long w = 0; w < words; w++) {
      if ((w & 7) == 0) rank[(int) (w >>> 3)] = count;
      count += Long.bitCount(bitmapWord(w));
    }
    if (firstPage < bitmapOffset || firstPage > file.size() || count > (file.size() - firstPage) / PAGE_SIZE) {
      throw file.error(h + 0x20, "the bitmap marks " + count + " pages present but the file holds "
          + Math.max(0, (file.size() - firstPage) / PAGE_SIZE) + " from FirstPage 0x" + Long.toHexString(firstPage));
    }
    if (present != count) throw file.error(h + 0x28, "TotalPresentPages " + present + " disagrees with the bitmap's " + count + " set bits");
    storedPages = count;
  }

  /** Bitmap word {@code w}, with bits beyond the bit count cleared. */
  private long bitmapWord(long w) {
    long off = bitmapOffset + w * 8;
    long bitsHere = Math.min(64, bitmapBits - w * 64);
    long v;
    if (bitsHere == 64) {
      v = file.u64(off, "bitmap");
    } else {
      v = 0;
      int bytes = (int) ((bitsHere + 7) / 8);
      for (int i = 0; i < bytes; i++) v |= (long) file.u8(off + i, "bitmap") << (8 * i);
      v &= (1L << bitsHere) - 1;
    }
    return v;
  }

  private void parseRdmp() {
    long h = HEADER_SIZE;
    if (file.u32(h + 4, "RDMP signature") != RDMP || file.u32(h + 8, "RDMP ValidDump") != DUMP) {
      throw file.error(h + 4, "dump type " + dumpType + " without an RDMP/DUMP header at 0x2000");
    }
    firstPage = file.u64(h + 0x18, "FirstPageOffset");
    if (firstPage < h + 0x30 || firstPage > file.size()) {
      throw file.error(h + 0x18, "FirstPageOffset 0x" + Long.toHexString(firstPage) + " lies outside the file");
    }
    long maxRanges = (firstPage - h - 0x30) / 16;
    long maxPages = (file.size() - firstPage) / PAGE_SIZE;
    List<long[]> r = new ArrayList<>();
    long at = firstPage, total = 0;
    for (long i = 0; ; i++) {
      if (i >= maxRanges) throw file.error(h + 0x30 + 16 * i, "the PFN range list is not ended by a zero PFN before FirstPageOffset");
      long pfn = file.u64(h + 0x30 + 16 * i, "range Pfn");
      if (pfn == 0) break;
      long count = file.u64(h + 0x38 + 16 * i, "range Count");
      if (count < 0 || count > maxPages - total) {
        throw file.error(h + 0x38 + 16 * i, "PFN range " + i + " of " + count + " pages runs past the end of the file");
      }
      r.add(new long[] {pfn, count, at});
      at += count * PAGE_SIZE;
      total += count;
    }
    r.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
    runPfn = new long[r.size()];
    runCount = new long[r.size()];
    runFile = new long[r.size()];
    for (int i = 0; i < r.size(); i++) {
      runPfn[i] = r.get(i)[0];
      runCount[i] = r.get(i)[1];
      runFile[i] = r.get(i)[2];
    }
    storedPages = total;
  }

  /** The file offset of physical page {@code pfn}, or -1 when the dump does not hold it. */
  public long pageOffset(long pfn) {
    if (pfn < 0) return -1;
    if (bitmapOffset >= 0) {
      if (pfn >= bitmapBits) return -1;
      long w = pfn >>> 6;
      long word = bitmapWord(w);
      long bit = 1L << (pfn & 63);
      if ((word & bit) == 0) return -1;
      long before = rank[(int) (w >>> 3)];
      for (long k = w & ~7L; k < w; k++) before += Long.bitCount(bitmapWord(k));
      return firstPage + (before + Long.bitCount(word & (bit - 1))) * PAGE_SIZE;
    }
    int lo = 0, hi = runPfn.length - 1, hit = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (runPfn[mid] <= pfn) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (hit < 0 || pfn - runPfn[hit] >= runCount[hit]) return -1;
    return runFile[hit] + (pfn - runPfn[hit]) * PAGE_SIZE;
  }

  /** Copies physical bytes up to the end of the page; returns the count, 0 when the page is absent. */
  public int readPhysical(long pa, byte[] dst, int off, int len) {
    long page = pageOffset(pa >>> 12);
    if (page < 0) return 0;
    int n = (int) Math.min(len, PAGE_SIZE - (pa & 0xFFF));
    file.read(page + (pa & 0xFFF), dst, off, n);
    return n;
  }

  private long physical64(long pa) {
    long page = pageOffset(pa >>> 12);
    return page < 0 ? 0 : file.u64(page + (pa & 0xFF8), "page table entry");
  }

  /**
   * The physical address of {@code va} in the address space whose page tables start at
   * {@code cr3}, or -1 when a level is not present (or not in the dump).
   */
  public long translate(long cr3, long va) {
    long vpn = va >>> 12;
    int slot = (int) ((vpn ^ (cr3 >>> 12) * 31) & (TLB - 1));
    if (tlbVpn[slot] == vpn && tlbCr3[slot] == cr3) return tlbPa[slot] | (va & 0xFFF);
    long pa = walk(cr3, va);
    if (pa >= 0) {
      tlbVpn[slot] = vpn;
      tlbCr3[slot] = cr3;
      tlbPa[slot] = pa & ~0xFFFL;
    }
    return pa;
  }

  private long walk(long cr3, long va) {
    long e = physical64((cr3 & FRAME_4K) + ((va >>> 39) & 511) * 8);
    if ((e & 1) == 0) return -1;
    e = physical64((e & FRAME_4K) + ((va >>> 30) & 511) * 8);
    if ((e & 1) == 0) return -1;
    if ((e & 0x80) != 0) return (e & FRAME_1G) | (va & 0x3FFFFFFFL); // bit 12 is PAT, not address
    e = physical64((e & FRAME_4K) + ((va >>> 21) & 511) * 8);
    if ((e & 1) == 0) return -1;
    if ((e & 0x80) != 0) return (e & FRAME_2M) | (va & 0x1FFFFFL);
    e = physical64((e & FRAME_4K) + ((va >>> 12) & 511) * 8);
    // Valid, or a transition PTE (not valid, Transition bit 11 set, Prototype bit 10 clear):
    // the page is still in physical memory, on a standby or modified list.
    if ((e & 1) != 0 || (e & 0xC00) == 0x800) return (e & FRAME_4K) | (va & 0xFFF);
    return -1;
  }

  /** Copies virtual bytes page by page until {@code len} or an untranslatable page; returns the count. */
  public int readVirtual(long cr3, long va, byte[] dst, int off, int len) {
    int done = 0;
    while (done < len) {
      long pa = translate(cr3, va + done);
      if (pa < 0) break;
      int n = readPhysical(pa, dst, off + done, len - done);
      if (n == 0) break;
      done += n;
    }
    return done;
  }

  /** The loaded modules from PsLoadedModuleList (x64 KLDR_DATA_TABLE_ENTRY layout). */
  public List<KernelModule> modules() {
    if (modules == null) modules = walkModules();
    return modules;
  }

  private long virtual64(long va, String what) {
    byte[] b = new byte[8];
    if (readVirtual(directoryTableBase, va, b, 0, 8) != 8) {
      throw file.error(0x20, what + " at 0x" + Long.toHexString(va) + " is not in the dump");
    }
    return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private String unicodeString(long va) {
    byte[] h = new byte[16];
    if (readVirtual(directoryTableBase, va, h, 0, 16) != 16) return null;
    var bb = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int len = bb.getShort(0) & 0xFFFE;
    long buf = bb.getLong(8);
    byte[] s = new byte[len];
    if (readVirtual(directoryTableBase, buf, s, 0, len) != len) return null;
    return iptq.Printable.of(new String(s, StandardCharsets.UTF_16LE));
  }

  private List<KernelModule> walkModules() {
    if (psLoadedModuleList == 0) return List.of();
    List<KernelModule> out = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    long entry = virtual64(psLoadedModuleList, "PsLoadedModuleList");
    // A corrupt list may loop or never return to its head: stop at a revisited entry, and
    // at a bound no real system reaches.
    while (entry != psLoadedModuleList && seen.add(entry) && out.size() < 16384) {
      byte[] e = new byte[0x68];
      if (readVirtual(directoryTableBase, entry, e, 0, e.length) != e.length) {
        throw file.error(0x20, "loaded-module entry at 0x" + Long.toHexString(entry) + " is not in the dump");
      }
      var bb = java.nio.ByteBuffer.wrap(e).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      long base = bb.getLong(0x30);
      long size = bb.getInt(0x40) & 0xFFFFFFFFL;
      String full = unicodeString(entry + 0x48);
      String name = unicodeString(entry + 0x58);
      if (name == null && full != null) name = MinidumpImage.shortName(full);
      out.add(new KernelModule(name, full, base, size));
      entry = bb.getLong(0);
    }
    return Collections.unmodifiableList(out);
  }

  public KernelModule moduleAt(long address) {
    for (KernelModule m : modules()) {
      if (Long.compareUnsigned(address - m.base(), m.size()) < 0) return m;
    }
    return null;
  }

  public BinFile file() {
    return file;
  }

  public Path path() {
    return file.path();
  }

  public int dumpType() {
    return dumpType;
  }

  public long directoryTableBase() {
    return directoryTableBase;
  }

  public long pfnDataBase() {
    return pfnDataBase;
  }

  public long psLoadedModuleList() {
    return psLoadedModuleList;
  }

  public long psActiveProcessHead() {
    return psActiveProcessHead;
  }

  public int machineImageType() {
    return machineImageType;
  }

  public int numberProcessors() {
    return numberProcessors;
  }

  public long bugCheckCode() {
    return bugCheckCode;
  }

  public long kdDebuggerDataBlock() {
    return kdDebuggerDataBlock;
  }

  public String comment() {
    return comment;
  }

  public long storedPages() {
    return storedPages;
  }

  public static String typeName(int type) {
    return switch (type) {
      case FULL -> "full";
      case KERNEL -> "kernel";
      case BITMAP -> "bitmap";
      case LIVE_BITMAP -> "live kernel (bitmap)";
      case KERNEL_MEMORY -> "kernel memory (RDMP)";
      case KERNEL_AND_USER -> "kernel and user memory (RDMP)";
      case COMPLETE -> "complete memory (RDMP)";
      default -> "type " + type;
    };
  }

  @Override
  public void close() {
    file.close();
  }
}
