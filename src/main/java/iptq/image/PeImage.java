package iptq.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A PE file's code presented as it is in memory in the traced system: mapped at the base the
 * trace gives (not the preferred base), base relocations applied, IAT slots filled with the
 * resolved targets, and — the point of the seed's import-optimization story — each import
 * control transfer site of the DVRT rewritten the way the kernel rewrites it at load time.
 *
 * <p>The rewritten forms. On disk an import call is {@code 48 FF 15 disp32} ({@code call [rip+d]},
 * 7 bytes, an indirect call needing a TIP) followed by the 5-byte NOP {@code 0F 1F 44 00 00}; an
 * import jump is {@code 48 FF 25 disp32} followed by 5 bytes of padding. Microsoft does not
 * document the bytes the kernel writes; the seed's tcpip example shows the instructions that run:
 * {@code mov r10, qword ptr [__imp_X]} then a direct {@code call X}. We write exactly those with
 * the same lengths as the original pair: {@code 4C 8B 15 disp32} (mov r10, [rip+disp32], 7 bytes,
 * the same disp32 because it ends where the original instruction ended, so the same IAT slot) and
 * {@code E8 rel32} (call, 5 bytes), or {@code E9 rel32} (jmp) for jump sites. Instruction kinds and
 * lengths — what a flow decoder needs — match the hardware's; the 12-byte site keeps its extent, so
 * the instruction after it is where it was.
 *
 * <p>A site whose target cannot be resolved (import unknown, module not loaded, target out of
 * rel32 reach, bytes not the expected pattern) keeps its file bytes and is listed in {@link
 * #unfixableSites()}, so a decoder that stops there can name the cause.
 */
public final class PeImage implements CodeImage, SiteNotes {
  /** What to emulate: base relocations, and the kernel's import optimization (DVRT symbol 3). */
  public record Options(boolean relocate, boolean importOptimization) {
    public static final Options MEMORY = new Options(true, true);
    /** The file's code at the load address, without the DVRT rewrite (what a naive decoder sees). */
    public static final Options FILE_BYTES = new Options(true, false);
  }

  /** An import site that was rewritten: {@code target} is the direct call/jmp's destination. */
  public record RewrittenSite(long address, boolean call, String dll, String function, long target) {}

  /** An import site left as in the file, and why. */
  public record UnfixableSite(long address, String dll, String function, String reason) {
    public String describe() {
      return "unfixable import site at 0x" + Long.toHexString(address)
          + (dll != null ? " (" + dll + "!" + function + ")" : "") + ": " + reason;
    }
  }

  /** Bytes of one site: 7-byte mov/indirect + 5-byte direct transfer or padding. */
  public static final int SITE_LENGTH = 12;

  private final PeFile pe;
  private final long base;
  private final long size;
  // Sparse storage: the headers and each section's file-backed bytes; past a section's file
  // data up to its virtual size reads as zeros. Memory stays within the file's size however
  // large a (hostile) SizeOfImage or VirtualSize is.
  private final long[] segRva;
  private final byte[][] segData;
  private final long[] segEnd;
  private final String name;
  private final List<RewrittenSite> rewritten = new ArrayList<>();
  private final TreeMap<Long, UnfixableSite> unfixable = new TreeMap<>(Long::compareUnsigned);
  private int relocationsApplied;
  private int relocationsSkipped;

  public PeImage(PeFile pe, long base, ImportResolver resolver, Options options) {
    this.pe = pe;
    this.base = base;
    this.name = pe.path().getFileName().toString();
    this.size = pe.sizeOfImage();
    List<PeFile.Section> secs = new ArrayList<>(pe.sections());
    secs.sort(java.util.Comparator.comparingLong(PeFile.Section::virtualAddress));
    int n = secs.size() + 1;
    segRva = new long[n];
    segData = new byte[n][];
    segEnd = new long[n];
    long hdr = Math.min(Math.min(pe.sizeOfHeaders(), pe.file().size()), size);
    if (!secs.isEmpty()) hdr = Math.min(hdr, secs.get(0).virtualAddress());
    segData[0] = pe.file().bytes(0, (int) hdr, "headers");
    segEnd[0] = hdr;
    long prevEnd = hdr;
    for (int i = 0; i < secs.size(); i++) {
      PeFile.Section sec = secs.get(i);
      long raw = sec.virtualSize() != 0 ? Math.min(sec.sizeOfRawData(), sec.virtualSize()) : sec.sizeOfRawData();
      long virt = Math.max(sec.virtualSize(), raw);
      if (sec.virtualAddress() < prevEnd) {
        throw pe.file().error(pe.sectionHeaderOffset(pe.sections().indexOf(sec)), "section " + sec.name() + " at RVA 0x" + Long.toHexString(sec.virtualAddress()) + " overlaps the one before it");
      }
      raw = Math.max(0, Math.min(raw, size - sec.virtualAddress()));
      segRva[i + 1] = sec.virtualAddress();
      segData[i + 1] = pe.file().bytes(sec.pointerToRawData(), (int) raw, "raw data of section " + sec.name());
      segEnd[i + 1] = Math.min(sec.virtualAddress() + virt, size);
      prevEnd = segEnd[i + 1];
    }
    if (options.relocate()) relocate(base - pe.imageBase());
    fillIat(resolver);
    if (options.importOptimization() && pe.dvrt() != null) rewriteImportSites(resolver);
  }

  private void relocate(long delta) {
    if (delta == 0) return;
    for (PeFile.Relocation r : pe.relocations()) {
      long rva = r.rva();
      switch (r.type()) {
        case 10 -> {
          if (!inImage(rva, 8)) throw pe.file().error(pe.directoryOffset(PeFile.DIR_BASERELOC), "DIR64 relocation at RVA 0x" + Long.toHexString(rva) + " lies outside the file-backed image");
          put64(rva, get64(rva) + delta);
        }
        case 3 -> {
          if (!inImage(rva, 4)) throw pe.file().error(pe.directoryOffset(PeFile.DIR_BASERELOC), "HIGHLOW relocation at RVA 0x" + Long.toHexString(rva) + " lies outside the file-backed image");
          put32(rva, (int) (get32(rva) + delta));
        }
        case 1 -> {
          if (!inImage(rva, 2)) throw pe.file().error(pe.directoryOffset(PeFile.DIR_BASERELOC), "HIGH relocation at RVA 0x" + Long.toHexString(rva) + " lies outside the file-backed image");
          put16(rva, get16(rva) + (int) ((delta >>> 16) & 0xFFFF));
        }
        case 2 -> {
          if (!inImage(rva, 2)) throw pe.file().error(pe.directoryOffset(PeFile.DIR_BASERELOC), "LOW relocation at RVA 0x" + Long.toHexString(rva) + " lies outside the file-backed image");
          put16(rva, get16(rva) + (int) (delta & 0xFFFF));
        }
        default -> {
          relocationsSkipped++;
          continue;
        }
      }
      relocationsApplied++;
    }
  }

  /** The loader writes each import's resolved address into its IAT slot. */
  private void fillIat(ImportResolver resolver) {
    if (resolver == null) return;
    int width = pe.isPe32Plus() ? 8 : 4;
    for (PeFile.Import i : pe.imports()) {
      if (!inImage(i.iatRva(), width)) continue;
      OptionalLong t = resolver.resolve(i.dll(), i.key());
      if (t.isEmpty()) continue;
      if (width == 8) put64(i.iatRva(), t.getAsLong());
      else put32(i.iatRva(), (int) t.getAsLong());
    }
  }

  private void rewriteImportSites(ImportResolver resolver) {
    long iat = pe.directoryRva(PeFile.DIR_IAT);
    for (Dvrt.ImportControlTransfer s : pe.dvrt().importControlTransfers()) {
      long rva = s.rva();
      long addr = base + rva;
      if (!inImage(rva, SITE_LENGTH)) {
        unfixable.put(addr, new UnfixableSite(addr, null, null, "site lies outside the image"));
        continue;
      }
      int op = s.indirectCall() ? 0x15 : 0x25;
      if (get8(rva) != 0x48 || get8(rva + 1) != 0xFF || get8(rva + 2) != op) {
        unfixable.put(addr, new UnfixableSite(addr, null, null, String.format(
            "expected 48 FF %02X, found %02X %02X %02X", op, get8(rva), get8(rva + 1), get8(rva + 2))));
        continue;
      }
      long slot = rva + 7 + get32(rva + 3);
      PeFile.Import imp = pe.importAtSlot(slot);
      if (iat != 0 && slot != iat + 8L * s.iatIndex()) {
        unfixable.put(addr, new UnfixableSite(addr, imp == null ? null : imp.dll(), imp == null ? null : imp.key(),
            "DVRT IAT index " + s.iatIndex() + " disagrees with the instruction's slot at RVA 0x" + Long.toHexString(slot)));
        continue;
      }
      if (imp == null) {
        unfixable.put(addr, new UnfixableSite(addr, null, null, "no import at IAT slot RVA 0x" + Long.toHexString(slot)));
        continue;
      }
      OptionalLong target = resolver == null ? OptionalLong.empty() : resolver.resolve(imp.dll(), imp.key());
      if (target.isEmpty()) {
        unfixable.put(addr, new UnfixableSite(addr, imp.dll(), imp.key(), "import not resolved among the loaded modules"));
        continue;
      }
      long rel = target.getAsLong() - (addr + SITE_LENGTH);
      if (rel != (int) rel) {
        unfixable.put(addr, new UnfixableSite(addr, imp.dll(), imp.key(),
            "target 0x" + Long.toHexString(target.getAsLong()) + " is beyond rel32 reach"));
        continue;
      }
      put8(rva, 0x4C); // REX.WR: mov r10, [rip+disp32]; disp32 unchanged
      put8(rva + 1, 0x8B);
      put8(rva + 2, 0x15);
      put8(rva + 7, s.indirectCall() ? 0xE8 : 0xE9);
      put32(rva + 8, (int) rel);
      rewritten.add(new RewrittenSite(addr, s.indirectCall(), imp.dll(), imp.key(), target.getAsLong()));
    }
  }

  /** The segment whose file-backed bytes hold all of {@code [rva, rva + len)}, or -1. */
  private int segment(long rva, int len) {
    int lo = 0, hi = segRva.length - 1, hit = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (segRva[mid] <= rva) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (hit < 0 || rva < 0 || rva - segRva[hit] + len > segData[hit].length) return -1;
    return hit;
  }

  private boolean inImage(long rva, int len) {
    return segment(rva, len) >= 0;
  }

  private int get8(long rva) {
    int s = segment(rva, 1);
    return segData[s][(int) (rva - segRva[s])] & 0xFF;
  }

  private void put8(long rva, int v) {
    int s = segment(rva, 1);
    segData[s][(int) (rva - segRva[s])] = (byte) v;
  }

  private int get16(long rva) {
    return get8(rva) | get8(rva + 1) << 8;
  }

  private void put16(long rva, int v) {
    put8(rva, v);
    put8(rva + 1, v >>> 8);
  }

  private long get32(long rva) {
    return get16(rva) | (long) (short) get16(rva + 2) << 16;
  }

  private long get64(long rva) {
    return (get32(rva) & 0xFFFFFFFFL) | get32(rva + 4) << 32;
  }

  private void put32(long rva, int v) {
    for (int k = 0; k < 4; k++) put8(rva + k, v >>> (8 * k));
  }

  private void put64(long rva, long v) {
    for (int k = 0; k < 8; k++) put8(rva + k, (int) (v >>> (8 * k)));
  }

  public PeFile pe() {
    return pe;
  }

  public long base() {
    return base;
  }

  public long size() {
    return size;
  }

  public String name() {
    return name;
  }

  /** The whole mapped image as one array of SizeOfImage bytes (allocates it: for tests and writers). */
  public byte[] bytes() {
    byte[] all = new byte[(int) size];
    for (int i = 0; i < segRva.length; i++) System.arraycopy(segData[i], 0, all, (int) segRva[i], segData[i].length);
    return all;
  }

  public int relocationsApplied() {
    return relocationsApplied;
  }

  public int relocationsSkipped() {
    return relocationsSkipped;
  }

  public List<RewrittenSite> rewrittenSites() {
    return Collections.unmodifiableList(rewritten);
  }

  public List<UnfixableSite> unfixableSites() {
    return List.copyOf(unfixable.values());
  }

  /** The unfixable site whose 12 bytes hold {@code address}, if any. */
  public Optional<UnfixableSite> unfixableAt(long address) {
    var e = unfixable.floorEntry(address);
    if (e == null || Long.compareUnsigned(address - e.getKey(), SITE_LENGTH) >= 0) return Optional.empty();
    return Optional.of(e.getValue());
  }

  public boolean contains(long address) {
    return Long.compareUnsigned(address - base, size) < 0;
  }

  @Override
  public int read(long asid, long address, byte[] dst, int off, int len) {
    if (!contains(address) || len <= 0) return 0;
    long rva = address - base;
    int i = segment(rva, 0);
    if (i < 0) return 0;
    long inData = segData[i].length - (rva - segRva[i]);
    if (inData > 0) {
      int n = (int) Math.min(len, inData);
      System.arraycopy(segData[i], (int) (rva - segRva[i]), dst, off, n);
      return n;
    }
    // Past the section's file data but inside its virtual size: zeros, as the loader leaves them.
    long zeros = segEnd[i] - rva;
    if (zeros <= 0) return 0; // a gap between sections: nothing mapped
    int n = (int) Math.min(len, zeros);
    java.util.Arrays.fill(dst, off, off + n, (byte) 0);
    return n;
  }

  @Override
  public String siteNote(long asid, long address) {
    return unfixableAt(address).map(UnfixableSite::describe).orElse(null);
  }

  @Override
  public String describe(long asid, long address) {
    if (!contains(address)) return null;
    return name + "+0x" + Long.toHexString(address - base);
  }

  /** A file mapped at one base, whatever the asid. */
  @Override
  public boolean sameInEveryAddressSpace(long address) {
    return true;
  }
}
