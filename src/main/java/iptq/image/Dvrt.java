package iptq.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Dynamic Value Relocation Table of a PE image: the places the kernel rewrites at load time
 * (import optimization, retpoline, switchable branches, function overrides). Version 1 (entries
 * {Symbol u64, BaseRelocSize u32}) and version 2 (entries with a HeaderSize) are read; each
 * symbol's fixup data is a list of page blocks {PageRVA, SizeOfBlock, entries}.
 */
public final class Dvrt {
  public static final long IMPORT_CONTROL_TRANSFER = 3;
  public static final long INDIRECT_CONTROL_TRANSFER = 4;
  public static final long SWITCHABLE_BRANCH = 5;
  public static final long FUNCTION_OVERRIDE = 7;

  /** Symbol 3: an import call ({@code indirectCall}) or jmp site whose target is IAT slot {@code iatIndex}. */
  public record ImportControlTransfer(long rva, boolean indirectCall, int iatIndex) {}

  /** Symbol 4: an indirect call/jmp site (retpoline candidates). */
  public record IndirectControlTransfer(long rva, boolean indirectCall, boolean rexW, boolean cfgCheck) {}

  /** Symbol 5: a switchable branch site and its register. */
  public record SwitchableBranch(long rva, int register) {}

  /** Symbol 7: a function the kernel may override, its replacements, and the sites that call it. */
  public record FunctionOverride(long originalRva, List<Long> overridingRvas, List<Long> siteRvas) {}

  private final int version;
  private final long fileOffset;
  private final List<ImportControlTransfer> imports;
  private final List<IndirectControlTransfer> indirects;
  private final List<SwitchableBranch> switchables;
  private final List<FunctionOverride> overrides;
  private final Map<Long, Integer> otherSymbols;

  private Dvrt(int version, long fileOffset, List<ImportControlTransfer> i, List<IndirectControlTransfer> ind,
      List<SwitchableBranch> sw, List<FunctionOverride> fo, Map<Long, Integer> other) {
    this.version = version;
    this.fileOffset = fileOffset;
    this.imports = Collections.unmodifiableList(i);
    this.indirects = Collections.unmodifiableList(ind);
    this.switchables = Collections.unmodifiableList(sw);
    this.overrides = Collections.unmodifiableList(fo);
    this.otherSymbols = Collections.unmodifiableMap(other);
  }

  static Dvrt parse(PeFile pe) {
    long at = pe.dvrtOffset();
    if (at < 0) return null;
    BinFile f = pe.file();
    int version = (int) f.u32(at, "DVRT Version");
    long size = f.u32(at + 4, "DVRT Size");
    f.check(at + 8, size, "DVRT of " + size + " bytes");
    if (version != 1 && version != 2) throw f.error(at, "DVRT version " + version + " is not 1 or 2");
    List<ImportControlTransfer> imp = new ArrayList<>();
    List<IndirectControlTransfer> ind = new ArrayList<>();
    List<SwitchableBranch> sw = new ArrayList<>();
    List<FunctionOverride> fo = new ArrayList<>();
    Map<Long, Integer> other = new TreeMap<>(Long::compareUnsigned);
    long p = at + 8, end = at + 8 + size;
    while (p < end) {
      long symbol, fix, fixSize;
      if (version == 1) {
        if (end - p < 12) throw f.error(p, "DVRT entry header needs 12 bytes, " + (end - p) + " left");
        symbol = f.u64(p, "DVRT Symbol");
        fixSize = f.u32(p + 8, "DVRT BaseRelocSize");
        fix = p + 12;
      } else {
        if (end - p < 24) throw f.error(p, "DVRT v2 entry header needs 24 bytes, " + (end - p) + " left");
        long headerSize = f.u32(p, "DVRT HeaderSize");
        fixSize = f.u32(p + 4, "DVRT FixupInfoSize");
        symbol = f.u64(p + 8, "DVRT Symbol");
        if (headerSize < 24 || headerSize > end - p) throw f.error(p, "DVRT v2 HeaderSize " + headerSize + " is not within the table");
        fix = p + headerSize;
      }
      if (fixSize > end - fix) throw f.error(p, "DVRT fixups of " + fixSize + " bytes run past the table's end");
      if (symbol == IMPORT_CONTROL_TRANSFER || symbol == INDIRECT_CONTROL_TRANSFER || symbol == SWITCHABLE_BRANCH) {
        parseBlocks(f, fix, fixSize, symbol, imp, ind, sw);
      } else if (symbol == FUNCTION_OVERRIDE) {
        parseOverrides(f, fix, fixSize, fo);
      } else {
        other.merge(symbol, 1, Integer::sum);
      }
      p = fix + fixSize;
    }
    return new Dvrt(version, at, imp, ind, sw, fo, other);
  }

  private static void parseBlocks(BinFile f, long p, long size, long symbol, List<ImportControlTransfer> imp,
      List<IndirectControlTransfer> ind, List<SwitchableBranch> sw) {
    PageBlocks.walk(f, p, p + size, "DVRT", "its symbol's fixups", (page, from, end) -> {
      if (symbol == IMPORT_CONTROL_TRANSFER) {
        for (long q = from; q + 4 <= end; q += 4) {
          long e = f.u32(q, "import control transfer entry");
          imp.add(new ImportControlTransfer(page + (e & 0xFFF), (e >>> 12 & 1) != 0, (int) (e >>> 13)));
        }
      } else {
        for (long q = from; q + 2 <= end; q += 2) {
          int e = f.u16(q, "DVRT entry");
          if (e == 0) continue; // padding to a 4-byte block size
          if (symbol == INDIRECT_CONTROL_TRANSFER) {
            ind.add(new IndirectControlTransfer(page + (e & 0xFFF), (e >> 12 & 1) != 0, (e >> 13 & 1) != 0, (e >> 14 & 1) != 0));
          } else {
            sw.add(new SwitchableBranch(page + (e & 0xFFF), e >>> 12));
          }
        }
      }
    });
  }

  /**
   * IMAGE_FUNCTION_OVERRIDE_HEADER {FuncOverrideSize u32} then entries {OriginalRva, BDDOffset,
   * RvaSize, BaseRelocSize} each followed by RvaSize bytes of overriding RVAs and BaseRelocSize
   * bytes of page blocks naming the call sites; the BDD data after FuncOverrideSize is skipped.
   */
  private static void parseOverrides(BinFile f, long p, long size, List<FunctionOverride> out) {
    if (size < 4) return;
    long total = f.u32(p, "FuncOverrideSize");
    if (total > size - 4) throw f.error(p, "FuncOverrideSize " + total + " is larger than the fixups (" + size + ")");
    long q = p + 4, end = p + 4 + total;
    while (end - q >= 16) {
      long original = f.u32(q, "OriginalRva");
      long rvaSize = f.u32(q + 8, "RvaSize");
      long relocSize = f.u32(q + 12, "BaseRelocSize");
      q += 16;
      if (rvaSize > end - q || relocSize > end - q - rvaSize) throw f.error(q - 16, "function override entry runs past its table");
      List<Long> rvas = new ArrayList<>();
      for (long r = q; r + 4 <= q + rvaSize; r += 4) rvas.add(f.u32(r, "overriding RVA"));
      q += rvaSize;
      List<Long> sites = new ArrayList<>();
      PageBlocks.walk(f, q, q + relocSize, "override", "its entry", (page, from, bend) -> {
        for (long e = from; e + 2 <= bend; e += 2) {
          int v = f.u16(e, "override entry");
          if (v != 0) sites.add(page + (v & 0xFFF));
        }
      });
      q += relocSize;
      out.add(new FunctionOverride(original, List.copyOf(rvas), List.copyOf(sites)));
    }
  }

  public int version() {
    return version;
  }

  public long fileOffset() {
    return fileOffset;
  }

  public List<ImportControlTransfer> importControlTransfers() {
    return imports;
  }

  public List<IndirectControlTransfer> indirectControlTransfers() {
    return indirects;
  }

  public List<SwitchableBranch> switchableBranches() {
    return switchables;
  }

  public List<FunctionOverride> functionOverrides() {
    return overrides;
  }

  /** Symbols iptq does not interpret (e.g. 1/2 prologue/epilogue), with how many entries each had. */
  public Map<Long, Integer> otherSymbols() {
    return otherSymbols;
  }
}
