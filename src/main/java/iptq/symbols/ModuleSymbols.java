package iptq.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The function names of one module and a fast address-to-function lookup: the symbols sorted by
 * RVA in primitive arrays, one lookup entry per distinct start address, found by binary search
 * (no allocation, no boxing on the lookup path).
 *
 * <p>{@link #source()} says where the names came from: {@code pdb}, {@code exports} or
 * {@code none}.
 */
public final class ModuleSymbols {
  public static final String SOURCE_PDB = "pdb", SOURCE_EXPORTS = "exports", SOURCE_NONE = "none";
  public static final String ROW_PROC = "pdb-proc", ROW_PUBLIC = "pdb-public", ROW_EXPORT = "exports";
  /** RVAs are 32-bit in PE images; anything larger cannot be a symbol. */
  private static final long MAX_RVA = 0xFFFFFFFFL;

  private final String module;
  private final String source;
  // All rows, sorted by rva then preference: what the symbols table holds.
  private final long[] rowRva;
  private final long[] rowSize;
  private final String[] rowName;
  private final String[] rowSource;
  // One lookup entry per distinct start (the preferred row there): start, end (exclusive), row.
  private final long[] start;
  private final long[] end;
  private final int[] row;
  // bucket[b] = the first entry starting at or after b << shift: narrows each binary search to the
  // few entries of one bucket, about one per bucket on average.
  private final int shift;
  private final int[] bucket;

  private ModuleSymbols(String module, String source, List<Entry> entries) {
    this.module = module;
    this.source = source;
    entries.sort(Comparator.comparingLong(Entry::rva).thenComparingInt(Entry::rank).thenComparing(Entry::name));
    int n = entries.size();
    rowRva = new long[n];
    rowSize = new long[n];
    rowName = new String[n];
    rowSource = new String[n];
    long[] s = new long[n], e = new long[n];
    int[] r = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      Entry en = entries.get(i);
      rowRva[i] = en.rva;
      rowSize[i] = en.size;
      rowName[i] = en.name;
      rowSource[i] = en.source;
      if (k > 0 && s[k - 1] == en.rva) continue; // an alias at the same address: the first (preferred) one answers
      s[k] = en.rva;
      e[k] = en.rva + en.size;
      r[k] = i;
      k++;
    }
    start = Arrays.copyOf(s, k);
    end = Arrays.copyOf(e, k);
    row = Arrays.copyOf(r, k);
    long top = k == 0 ? 0 : start[k - 1];
    int sh = 4;
    while ((top >>> sh) > Math.max(k, 16)) sh++;
    shift = sh;
    int nb = (int) (top >>> sh) + 2;
    bucket = new int[nb];
    for (int b = 0, i = 0; b < nb; b++) {
      long at = (long) b << sh;
      while (i < k && start[i] < at) i++;
      bucket[b] = i;
    }
  }

  private record Entry(long rva, long size, String name, String source, int rank) {}

  /** A module with no names: lookups always miss. */
  public static ModuleSymbols none(String module) {
    return new ModuleSymbols(module, SOURCE_NONE, new ArrayList<>());
  }

  /**
   * The procedures of a PDB (with their sizes) plus the public symbols in code sections that no
   * procedure covers; a public's size is the distance to the next symbol in its section, capped at
   * the section's end.
   */
  public static ModuleSymbols fromPdb(String module, PdbFile pdb) {
    Sections code = new Sections(pdb.sections());
    List<Entry> entries = new ArrayList<>();
    List<PdbSymbol> procs = new ArrayList<>();
    for (PdbSymbol p : pdb.procedures()) {
      if (p.rva() < 0 || p.rva() > MAX_RVA) continue;
      procs.add(p);
      entries.add(new Entry(p.rva(), p.size(), p.name(), ROW_PROC, 0));
    }
    procs.sort(Comparator.comparingLong(PdbSymbol::rva));
    long[] procStart = new long[procs.size()];
    long[] procEnd = new long[procs.size()];
    long maxEnd = Long.MIN_VALUE;
    for (int i = 0; i < procs.size(); i++) {
      procStart[i] = procs.get(i).rva();
      // The furthest end so far, so that a public inside a long procedure is seen as covered even
      // when a shorter one starts between them.
      maxEnd = Math.max(maxEnd, procs.get(i).rva() + procs.get(i).size());
      procEnd[i] = maxEnd;
    }
    List<PdbSymbol> pubs = new ArrayList<>();
    for (PdbSymbol p : pdb.publics()) {
      if (p.rva() < 0 || p.rva() > MAX_RVA || code.containing(p.rva()) == null) continue;
      int i = floor(procStart, procStart.length, p.rva());
      if (i >= 0 && (p.rva() < procEnd[i] || procStart[i] == p.rva())) continue;
      pubs.add(p);
    }
    long[] all = new long[entries.size() + pubs.size()];
    int n = 0;
    for (Entry en : entries) all[n++] = en.rva;
    for (PdbSymbol p : pubs) all[n++] = p.rva();
    Arrays.sort(all);
    for (PdbSymbol p : pubs) {
      long sectionEnd = code.containing(p.rva()).end();
      long next = nextAfter(all, p.rva());
      long stop = Math.min(next, sectionEnd);
      entries.add(new Entry(p.rva(), Math.max(0, stop - p.rva()), p.name(), ROW_PUBLIC, 1));
    }
    return new ModuleSymbols(module, SOURCE_PDB, entries);
  }

  /**
   * Exported functions as names: forwarders and exports outside code sections are left out, and a
   * size is the distance to the next export in the same section, capped at the section's end.
   */
  public static ModuleSymbols fromExports(String module, List<ExportSymbol> exports, List<PdbSection> sections) {
    Sections text = new Sections(sections);
    List<ExportSymbol> code = new ArrayList<>();
    for (ExportSymbol x : exports) {
      if (x.rva() >= 0 && x.rva() <= MAX_RVA && text.containing(x.rva()) != null) code.add(x);
    }
    long[] all = new long[code.size()];
    for (int i = 0; i < all.length; i++) all[i] = code.get(i).rva();
    Arrays.sort(all);
    List<Entry> entries = new ArrayList<>();
    for (ExportSymbol x : code) {
      long stop = Math.min(nextAfter(all, x.rva()), text.containing(x.rva()).end());
      entries.add(new Entry(x.rva(), stop - x.rva(), x.name(), ROW_EXPORT, 0));
    }
    return new ModuleSymbols(module, SOURCE_EXPORTS, entries);
  }

  /** The executable sections sorted by address, searched by binary search (a PDB may list thousands). */
  private static final class Sections {
    final PdbSection[] sorted;
    final long[] va;

    Sections(List<PdbSection> all) {
      sorted = all.stream().filter(PdbSection::executable).sorted(Comparator.comparingLong(PdbSection::virtualAddress))
          .toArray(PdbSection[]::new);
      va = new long[sorted.length];
      for (int i = 0; i < va.length; i++) va[i] = sorted[i].virtualAddress();
    }

    PdbSection containing(long rva) {
      int i = floor(va, va.length, rva);
      return i >= 0 && rva < sorted[i].end() ? sorted[i] : null;
    }
  }

  /** The smallest value in sorted {@code a} greater than {@code v}, or Long.MAX_VALUE. */
  private static long nextAfter(long[] a, long v) {
    int i = floor(a, a.length, v) + 1;
    while (i < a.length && a[i] <= v) i++;
    return i < a.length ? a[i] : Long.MAX_VALUE;
  }

  /** Index of the last element of sorted {@code a[0..n)} that is ≤ v, or -1. */
  private static int floor(long[] a, int n, long v) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  public String module() {
    return module;
  }

  /** {@code pdb}, {@code exports} or {@code none}. */
  public String source() {
    return source;
  }

  /**
   * The lookup entry whose function contains {@code rva}, or -1. Use {@link #name(int)},
   * {@link #start(int)} and {@link #size(int)} on it; the offset into the function is
   * {@code rva - start(i)}.
   */
  public int find(long rva) {
    if (rva < 0) return -1;
    long[] s = start;
    int[] bk = bucket;
    long b = rva >>> shift;
    int lo, hi;
    if (b >= bk.length - 1) {
      lo = bk[bk.length - 1] - 1; // past the last start: only the last entry can hold it
      hi = lo;
    } else {
      // The last entry starting before this bucket, up to the last starting inside it.
      lo = bk[(int) b] - 1;
      hi = bk[(int) b + 1] - 1;
      if (lo < 0) lo = 0;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (s[mid] <= rva) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return hi >= 0 && s[hi] <= rva && rva < end[hi] ? hi : -1;
  }

  public String name(int entry) {
    return rowName[row[entry]];
  }

  public long start(int entry) {
    return start[entry];
  }

  public long size(int entry) {
    return end[entry] - start[entry];
  }

  /** {@code name+0xOFF} (or just the name at offset 0) for {@code rva}, or null when no function contains it. */
  public String describe(long rva) {
    int i = find(rva);
    if (i < 0) return null;
    long off = rva - start[i];
    return off == 0 ? name(i) : name(i) + "+0x" + Long.toHexString(off);
  }

  /** Number of distinct function start addresses. */
  public int entryCount() {
    return start.length;
  }

  /** Number of rows (aliases at one address included). */
  public int rowCount() {
    return rowRva.length;
  }

  public SymbolRow row(int i) {
    return new SymbolRow(module, rowRva[i], rowSize[i], rowName[i], rowSource[i]);
  }

  /** All rows for the {@code symbols} table, sorted by RVA. */
  public List<SymbolRow> rows() {
    List<SymbolRow> out = new ArrayList<>(rowRva.length);
    for (int i = 0; i < rowRva.length; i++) out.add(row(i));
    return out;
  }

  /** Every row starting exactly at {@code rva} (several where functions were folded together). */
  public List<SymbolRow> rowsAt(long rva) {
    List<SymbolRow> out = new ArrayList<>();
    int i = floor(rowRva, rowRva.length, rva);
    while (i >= 0 && rowRva[i] == rva) i--;
    for (i++; i < rowRva.length && rowRva[i] == rva; i++) out.add(row(i));
    return out;
  }
}
