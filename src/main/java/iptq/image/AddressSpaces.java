package iptq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The code of every process over time: the trace's modules, each backed by the best source that
 * holds its bytes — a minidump of its process, a kernel dump, the PE file found on the image path
 * (with the kernel's import-optimization rewrite: "pe+dvrt"), raw sections — else nothing. Kernel
 * modules are shared by all processes. {@link #image(long, long)} gives the flow decoder one
 * {@link CodeImage} per process and time; {@link #resolved()} says per module where its code came
 * from ({@code modules.code_source}).
 */
public final class AddressSpaces implements java.io.Closeable {
  public static final String MINIDUMP = "minidump", KERNEL_DUMP = "kernel-dump", PE = "pe",
      PE_DVRT = "pe+dvrt", RAW = "raw", NONE = "none";

  /** A module and where its code comes from; {@code detail} names the file used. */
  public record Resolved(ModuleRecord module, String codeSource, String detail) {}

  /** A module's sources in priority order; a read falls through to the next when one lacks a page. */
  private record Entry(ModuleRecord module, List<CodeImage> sources, List<Long> asids, PeImageRef pe) {}

  /** A PE image built on first use (mapping allocates SizeOfImage bytes). */
  private static final class PeImageRef implements CodeImage {
    final PeFile file;
    final long base;
    final ImportResolver resolver;
    final PeImage.Options options;
    PeImage image;

    PeImageRef(PeFile file, long base, ImportResolver resolver, PeImage.Options options) {
      this.file = file;
      this.base = base;
      this.resolver = resolver;
      this.options = options;
    }

    synchronized PeImage get() {
      if (image == null) image = new PeImage(file, base, resolver, options);
      return image;
    }

    @Override
    public int read(long asid, long address, byte[] dst, int off, int len) {
      return get().read(asid, address, dst, off, len);
    }

    @Override
    public String describe(long asid, long address) {
      return get().describe(asid, address);
    }

    @Override
    public boolean sameInEveryAddressSpace(long address) {
      return true;
    }
  }

  public static final class Builder {
    private final List<ModuleRecord> modules = new ArrayList<>();
    private final Map<Long, List<Minidump>> minidumps = new HashMap<>();
    private final List<KernelDump> kernelDumps = new ArrayList<>();
    private final Map<Long, Long> processDtb = new HashMap<>();
    private final Map<Long, Long> userDtb = new HashMap<>();
    private final List<Path> imagePath = new ArrayList<>();
    private RawImage raw;
    private boolean importOptimization = true;
    private final List<java.io.Closeable> owned = new ArrayList<>();

    public Builder modules(List<ModuleRecord> m) {
      modules.addAll(m);
      return this;
    }

    public Builder module(ModuleRecord m) {
      modules.add(m);
      return this;
    }

    /** A minidump of process {@code pid} (-1: take the pid from its MiscInfo stream). */
    public Builder minidump(Minidump d, long pid) {
      long p = pid >= 0 ? pid : d.miscInfo() != null ? d.miscInfo().processId() : -1;
      minidumps.computeIfAbsent(p, k -> new ArrayList<>()).add(d);
      return this;
    }

    /**
     * A dump file, by its signature: a minidump (its pid from MiscInfo) or a kernel dump. The
     * AddressSpaces built closes it.
     */
    public Builder dump(Path file) {
      switch (ImageKind.of(file)) {
        case MINIDUMP -> {
          Minidump d = Minidump.open(file);
          owned.add(d);
          minidump(d, -1);
        }
        case KERNEL_DUMP -> {
          KernelDump d = KernelDump.open(file);
          owned.add(d);
          kernelDump(d);
        }
        default -> throw new iptq.InputException(file, 0, "not a minidump or kernel dump");
      }
      return this;
    }

    public Builder kernelDump(KernelDump d) {
      kernelDumps.add(d);
      return this;
    }

    /** A process's DirectoryTableBase (from Process events), for user code in kernel dumps. */
    public Builder process(long pid, long directoryTableBase) {
      processDtb.put(pid, directoryTableBase);
      return this;
    }

    /**
     * With KVA shadowing the CR3 a user-mode trace carries (PIP) is the process's
     * UserDirectoryTableBase, not its DirectoryTableBase: both name the process.
     */
    public Builder process(long pid, long directoryTableBase, long userDirectoryTableBase) {
      process(pid, directoryTableBase);
      if (userDirectoryTableBase != 0) userDtb.put(userDirectoryTableBase, pid);
      return this;
    }

    public Builder imagePath(List<Path> dirs) {
      imagePath.addAll(dirs);
      return this;
    }

    public Builder raw(RawImage r) {
      raw = r;
      return this;
    }

    /** Off: PE code is served as in the file (tests prove a decode fails without the rewrite). */
    public Builder importOptimization(boolean on) {
      importOptimization = on;
      return this;
    }

    public AddressSpaces build() {
      return new AddressSpaces(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private final Map<Long, Long> pidOfDtb = new HashMap<>();
  private final List<Entry> kernel = new ArrayList<>();
  private final Map<Long, List<Entry>> user = new HashMap<>();
  private final List<Resolved> resolved = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final java.util.Set<Path> dumpsUsed = new java.util.HashSet<>();

  private final List<java.io.Closeable> owned = new ArrayList<>();

  private AddressSpaces(Builder b) {
    owned.addAll(b.owned);
    for (var e : b.processDtb.entrySet()) pidOfDtb.put(e.getValue() & ~0xFFFL, e.getKey());
    for (var e : b.userDtb.entrySet()) pidOfDtb.put(e.getKey() & ~0xFFFL, e.getValue());
    Map<String, List<Path>> files = indexImagePath(b.imagePath);
    Map<Path, PeFile> opened = new LinkedHashMap<>();
    // Choose each module's PE file first, so that imports resolve against the loaded set.
    Map<ModuleRecord, PeFile> peOf = new LinkedHashMap<>();
    for (ModuleRecord m : b.modules) {
      PeFile pe = findPe(m, files, opened);
      if (pe != null) peOf.put(m, pe);
    }
    ExportResolver kernelExports = new ExportResolver();
    Map<Long, ExportResolver> userExports = new HashMap<>();
    for (var e : peOf.entrySet()) {
      ModuleRecord m = e.getKey();
      if (m.kernel()) kernelExports.add(m.fileName(), e.getValue(), m.base());
      else userExports.computeIfAbsent(m.pid(), k -> new ExportResolver()).add(m.fileName(), e.getValue(), m.base());
    }
    for (ModuleRecord m : b.modules) {
      List<CodeImage> sources = new ArrayList<>();
      List<Long> asids = new ArrayList<>();
      String source = NONE, detail = null;
      PeImageRef peRef = null;
      // 1. a minidump of this process that lists the module at this base
      if (!m.kernel()) {
        for (Minidump d : b.minidumps.getOrDefault(m.pid(), List.of())) {
          Minidump.Module dm = d.moduleAt(m.base());
          if (dm != null && dm.base() == m.base()) {
            sources.add(new MinidumpImage(d));
            if (d.path() != null) dumpsUsed.add(d.path());
            asids.add(CodeImage.ANY_ASID);
            if (source.equals(NONE)) {
              source = MINIDUMP;
              detail = d.path().toString();
            }
          }
        }
      }
      // 2. a kernel dump holding the module's first page in the right address space
      for (KernelDump d : b.kernelDumps) {
        long asid = m.kernel() ? d.directoryTableBase() : b.processDtb.getOrDefault(m.pid(), -1L);
        if (asid == -1) continue;
        long pa = d.translate(asid, m.base());
        if (pa >= 0 && d.pageOffset(pa >>> 12) >= 0) {
          sources.add(new KernelDumpImage(d));
          if (d.path() != null) dumpsUsed.add(d.path());
          asids.add(asid);
          if (source.equals(NONE)) {
            source = KERNEL_DUMP;
            detail = d.path().toString();
          }
        }
      }
      // 3. the PE file from the image path, mapped at the trace's base
      PeFile pe = peOf.get(m);
      if (pe != null) {
        ImportResolver r = m.kernel() ? kernelExports
            : chain(userExports.getOrDefault(m.pid(), new ExportResolver()), kernelExports);
        peRef = new PeImageRef(pe, m.base(), r, b.importOptimization ? PeImage.Options.MEMORY : PeImage.Options.FILE_BYTES);
        sources.add(peRef);
        asids.add(CodeImage.ANY_ASID);
        if (source.equals(NONE)) {
          boolean dvrt = b.importOptimization && pe.dvrt() != null && !pe.dvrt().importControlTransfers().isEmpty();
          source = dvrt ? PE_DVRT : PE;
          detail = pe.path().toString();
        }
      }
      // 4. raw sections covering the module's base
      if (b.raw != null && b.raw.describe(CodeImage.ANY_ASID, m.base()) != null) {
        sources.add(b.raw);
        asids.add(CodeImage.ANY_ASID);
        if (source.equals(NONE)) source = RAW;
      }
      Entry e = new Entry(m, sources, asids, peRef);
      if (m.kernel()) kernel.add(e);
      else user.computeIfAbsent(m.pid(), k -> new ArrayList<>()).add(e);
      resolved.add(new Resolved(m, source, detail));
    }
    owned.addAll(opened.values());
    Comparator<Entry> byBase = Comparator.comparing(e -> e.module().base(), Long::compareUnsigned);
    kernel.sort(byBase);
    for (List<Entry> l : user.values()) l.sort(byBase);
  }

  private static ImportResolver chain(ImportResolver a, ImportResolver b) {
    return (dll, f) -> {
      var r = a.resolve(dll, f);
      return r.isPresent() ? r : b.resolve(dll, f);
    };
  }

  private static Map<String, List<Path>> indexImagePath(List<Path> dirs) {
    Map<String, List<Path>> index = new HashMap<>();
    for (Path dir : dirs) {
      if (Files.isRegularFile(dir)) {
        index.computeIfAbsent(dir.getFileName().toString().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(dir);
        continue;
      }
      if (!Files.isDirectory(dir)) throw new iptq.InputException(dir, -1, "--image-path: no such directory");
      try (Stream<Path> s = Files.walk(dir, 6)) {
        s.filter(Files::isRegularFile).forEach(p ->
            index.computeIfAbsent(p.getFileName().toString().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(p));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return index;
  }

  /** The best-matching PE file for {@code m}: name, then SizeOfImage, TimeDateStamp, CheckSum. */
  private PeFile findPe(ModuleRecord m, Map<String, List<Path>> files, Map<Path, PeFile> opened) {
    PeFile best = null;
    int bestScore = -1;
    for (Path p : files.getOrDefault(m.key(), List.of())) {
      PeFile pe = opened.get(p);
      if (pe == null) {
        try {
          pe = PeFile.open(p);
        } catch (iptq.InputException e) {
          warnings.add(m.fileName() + ": " + e.getMessage());
          continue;
        }
        opened.put(p, pe);
      }
      int score = (m.size() == 0 || pe.sizeOfImage() == m.size() ? 1 : 0)
          + (m.timeDateStamp() == 0 || pe.timeDateStamp() == m.timeDateStamp() ? 1 : 0)
          + (m.checkSum() == 0 || pe.checkSum() == m.checkSum() ? 1 : 0);
      if (score > bestScore) {
        best = pe;
        bestScore = score;
      }
    }
    if (best != null && bestScore < 3) {
      List<String> diff = new ArrayList<>();
      if (m.size() != 0 && best.sizeOfImage() != m.size()) diff.add("size 0x" + Long.toHexString(best.sizeOfImage()) + " (trace: 0x" + Long.toHexString(m.size()) + ")");
      if (m.timeDateStamp() != 0 && best.timeDateStamp() != m.timeDateStamp()) diff.add("TimeDateStamp 0x" + Long.toHexString(best.timeDateStamp()) + " (trace: 0x" + Long.toHexString(m.timeDateStamp()) + ")");
      if (m.checkSum() != 0 && best.checkSum() != m.checkSum()) diff.add("CheckSum 0x" + Long.toHexString(best.checkSum()) + " (trace: 0x" + Long.toHexString(m.checkSum()) + ")");
      warnings.add(m.fileName() + ": " + best.path() + " does not match the traced module: " + String.join(", ", diff));
    }
    return best;
  }

  /** Closes the PE files found on the image path and the dumps opened by {@link Builder#dump(Path)}. */
  @Override
  public void close() {
    for (java.io.Closeable c : owned) {
      try {
        c.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The dump files (as opened) that gave code to at least one module. */
  public java.util.Set<Path> dumpsUsed() {
    return Collections.unmodifiableSet(dumpsUsed);
  }

  /** Per module: where its code comes from. */
  public List<Resolved> resolved() {
    return Collections.unmodifiableList(resolved);
  }

  /** Image-path mismatches and unreadable candidates, one line each. */
  public List<String> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  /** The pid whose DirectoryTableBase is {@code cr3}, or -1. */
  public long pidOfAsid(long cr3) {
    return pidOfDtb.getOrDefault(cr3 & ~0xFFFL, -1L);
  }

  /** The code of process {@code pid} at trace time {@code time}: its modules and the kernel's. */
  public CodeImage image(long pid, long time) {
    return new View(pid, time);
  }

  /**
   * One image for a whole trace at {@code time}: the asid (a CR3 from PIP) selects the process;
   * with {@link CodeImage#ANY_ASID} or an unknown CR3 only kernel modules are visible.
   */
  public CodeImage image(long time) {
    return new TraceImage(time);
  }

  /** The trace-wide image of {@link #image(long)}. */
  private final class TraceImage implements CodeImage, SiteNotes {
    private final long time;

    TraceImage(long time) {
      this.time = time;
    }

      @Override
      public String siteNote(long asid, long address) {
        return new View(asid == ANY_ASID ? -1 : pidOfAsid(asid), time).siteNote(asid, address);
      }

      @Override
      public int read(long asid, long address, byte[] dst, int off, int len) {
        return new View(asid == ANY_ASID ? -1 : pidOfAsid(asid), time).read(asid, address, dst, off, len);
      }

      @Override
      public String describe(long asid, long address) {
        return new View(asid == ANY_ASID ? -1 : pidOfAsid(asid), time).describe(asid, address);
      }

      /** Kernel code is the same in every process; user code is that of the process the asid names. */
      @Override
      public boolean sameInEveryAddressSpace(long address) {
        return address < 0;
      }
  }

  private static Entry find(List<Entry> list, long address, long time) {
    if (list == null) return null;
    int lo = 0, hi = list.size() - 1, hit = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(list.get(mid).module().base(), address) <= 0) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Modules unloaded and replaced at the same range overlap: take the one alive at time.
    for (int i = hit; i >= 0 && hit - i < 64; i--) {
      ModuleRecord m = list.get(i).module();
      if (m.contains(address) && m.aliveAt(time)) return list.get(i);
    }
    return null;
  }

  /** The module holding {@code address} in process {@code pid} at {@code time}, or null. */
  public ModuleRecord moduleAt(long pid, long address, long time) {
    Entry e = address < 0 ? find(kernel, address, time) : find(user.get(pid), address, time);
    return e == null ? null : e.module();
  }

  /** The unfixable import site (PE code without a resolvable target) holding {@code address}. */
  public Optional<PeImage.UnfixableSite> unfixableAt(long pid, long address, long time) {
    Entry e = address < 0 ? find(kernel, address, time) : find(user.get(pid), address, time);
    if (e == null || e.pe() == null || e.sources().get(0) != e.pe()) return Optional.empty();
    return e.pe().get().unfixableAt(address);
  }

  private final class View implements CodeImage, SiteNotes {
    private final long pid;
    private final long time;

    View(long pid, long time) {
      this.pid = pid;
      this.time = time;
    }

    private Entry entry(long address) {
      return address < 0 ? find(kernel, address, time) : find(user.get(pid), address, time);
    }

    @Override
    public int read(long asid, long address, byte[] dst, int off, int len) {
      Entry e = entry(address);
      if (e == null) return 0;
      // Never read past the module's end: the next module may come from another source.
      long left = e.module().end() - address;
      int n = (int) Math.min(len, Long.compareUnsigned(left, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : left);
      for (int i = 0; i < e.sources().size(); i++) {
        long a = e.asids().get(i);
        int got = e.sources().get(i).read(a == ANY_ASID ? asid : a, address, dst, off, n);
        if (got > 0) return got;
      }
      return 0;
    }

    @Override
    public String siteNote(long asid, long address) {
      Entry e = entry(address);
      if (e == null) return null;
      if (e.sources().isEmpty()) return "no code for module " + e.module().fileName() + " (no dump covers it, no PE file on the image path)";
      if (e.pe() == null || e.sources().get(0) != e.pe()) return null;
      return e.pe().get().siteNote(asid, address);
    }

    @Override
    public String describe(long asid, long address) {
      Entry e = entry(address);
      return e == null ? null : e.module().fileName() + "+0x" + Long.toHexString(address - e.module().base());
    }

    /**
     * One process's view: its modules and the kernel's whatever the asid (a kernel dump source
     * reads with the module's own address space, see the constructor, not the caller's).
     */
    @Override
    public boolean sameInEveryAddressSpace(long address) {
      return true;
    }
  }
}
