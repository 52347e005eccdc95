package iptq.ingest;

import iptq.image.AddressSpaces;
import iptq.image.CodeImage;
import iptq.image.ModuleRecord;
import iptq.image.PeFile;
import iptq.image.RawImage;
import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbId;
import iptq.symbols.SymbolLoader;
import iptq.symbols.SymbolMap;
import iptq.symbols.SymbolPath;
import iptq.symsrv.StoreKey;
import iptq.symsrv.StorePath;
import iptq.symsrv.SymbolServer;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import iptq.table.TableWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The code and names of a Windows trace: its modules (from Image events) backed by the dumps and
 * PE files the user gave, each module's symbols from its PDB (found through the RSDS record on
 * the symbol path) or exports, and per process and time the map of kernel plus user modules.
 */
final class WindowsCodeContext implements CodeContext, AutoCloseable {
  /** A module row with where its code and names came from, once resolved. */
  record ModuleInfo(ModulesTable.Module row, ModuleSymbols symbols, String codeSource) {}

  private final AddressSpaces spaces;
  private final RawImage raw;
  private final List<ModuleInfo> modules = new ArrayList<>();
  /** The modules as the code image knows them, by the same index. */
  private final List<ModuleRecord> records = new ArrayList<>();
  /** Symbol maps by the set of modules (indices into {@link #modules}) a segment sees. */
  private final Map<BitSet, SymbolMap> maps = new ConcurrentHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  /** PDBs looked for and not found, per module: the ingest summary says it for the modules that ran. */
  private final List<String> details = new ArrayList<>();
  private boolean codeFromStores;

  WindowsCodeContext(List<ModulesTable.Module> rows, List<ProcessesTable.Process> processes,
      List<Path> dumps, List<Path> imagePaths, List<Path> symbolDirs, List<String> rawImages,
      boolean importRewrite) {
    this(rows, processes, dumps, imagePaths, new SymbolServer(Ingest.storePath(
        symbolDirs.stream().map(Path::toString).toList()), SymbolServer.Options.defaults().withOffline(true)),
        rawImages, importRewrite);
  }

  /**
   * {@code store}: the symbol path with its stores and servers. A module that no dump and no file
   * on the image path gives code for is looked up there as a PE image (TimeDateStamp and
   * SizeOfImage from its Image event); every module's PDB (GUID and age from its DbgID event, else
   * its PE) is looked up there too; both are then read as local files.
   */
  WindowsCodeContext(List<ModulesTable.Module> rows, List<ProcessesTable.Process> processes,
      List<Path> dumps, List<Path> imagePaths, SymbolServer store, List<String> rawImages,
      boolean importRewrite) {
    for (ModulesTable.Module m : rows) records.add(record(m));
    raw = rawImages.isEmpty() ? null : RawImage.of(rawImages);
    AddressSpaces built = spaces(processes, dumps, imagePaths, importRewrite);
    boolean stores = !store.path().chains().isEmpty();
    if (stores) {
      List<Path> fetched = fetchImages(built, store);
      if (!fetched.isEmpty()) {
        codeFromStores = true;
        built.close();
        List<Path> all = new ArrayList<>(imagePaths);
        all.addAll(fetched);
        built = spaces(processes, dumps, all, importRewrite);
      }
    }
    spaces = built;
    warnings.addAll(spaces.warnings());
    if (stores) fetchPdbs(rows, store);
    warnings.addAll(store.drainWarnings());
    for (String ignored : store.path().ignored()) warnings.add("symbol path entry " + ignored + ": not one iptq reads (ignored)");

    Map<ModuleRecord, AddressSpaces.Resolved> byRecord = new HashMap<>();
    for (AddressSpaces.Resolved r : spaces.resolved()) byRecord.put(r.module(), r);
    SymbolLoader loader = new SymbolLoader(new SymbolPath(store.path().searchDirs()));
    Map<String, SymbolLoader.Loaded> loadedByKey = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      ModulesTable.Module m = rows.get(i);
      AddressSpaces.Resolved r = byRecord.get(records.get(i));
      String codeSource = r == null ? AddressSpaces.NONE : r.codeSource();
      String key = m.name() + "|" + m.pdbGuid() + "|" + m.pdbAge() + "|" + (r == null ? null : r.detail());
      SymbolLoader.Loaded loaded = loadedByKey.computeIfAbsent(key, k -> load(loader, m, r));
      for (String note : loaded.notes()) warnings.add(m.name() + ": " + note);
      if (loaded.missing() != null) details.add(m.name() + ": " + loaded.missing());
      modules.add(new ModuleInfo(withSources(m, codeSource, loaded.symbols().source()), loaded.symbols(), codeSource));
    }
  }

  private AddressSpaces spaces(List<ProcessesTable.Process> processes, List<Path> dumps, List<Path> imagePaths,
      boolean importRewrite) {
    AddressSpaces.Builder b = AddressSpaces.builder().imagePath(imagePaths).importOptimization(importRewrite);
    b.modules(records);
    for (ProcessesTable.Process p : processes) {
      if (p.hasDirectoryTableBase()) b.process(p.pid(), p.directoryTableBase());
    }
    for (Path d : dumps) b.dump(d);
    if (raw != null) b.raw(raw);
    return b.build();
  }

  /** The PE images of the modules still without code, from the symbol stores. */
  private List<Path> fetchImages(AddressSpaces built, SymbolServer store) {
    List<StoreKey> keys = new ArrayList<>();
    for (AddressSpaces.Resolved r : built.resolved()) {
      ModuleRecord m = r.module();
      if (!AddressSpaces.NONE.equals(r.codeSource()) || m.timeDateStamp() == 0 || m.size() == 0) continue;
      StoreKey k = key(() -> StoreKey.image(m.fileName(), m.timeDateStamp(), m.size()), m.name());
      if (k != null) keys.add(k);
    }
    return new ArrayList<>(new java.util.LinkedHashSet<>(store.findAll(keys).values()));
  }

  /** Every module's PDB, by the GUID and age of its DbgID event or else of its PE file. */
  private void fetchPdbs(List<ModulesTable.Module> rows, SymbolServer store) {
    Map<ModuleRecord, AddressSpaces.Resolved> byRecord = new HashMap<>();
    for (AddressSpaces.Resolved r : spaces.resolved()) byRecord.put(r.module(), r);
    List<StoreKey> keys = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      ModulesTable.Module m = rows.get(i);
      PdbId id = pdbId(m, byRecord.get(records.get(i)));
      if (id == null) continue;
      StoreKey k = key(() -> StoreKey.pdb(id), id.name());
      if (k != null) keys.add(k);
    }
    store.findAll(keys);
  }

  private StoreKey key(java.util.function.Supplier<StoreKey> make, String what) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      warnings.add(what + ": " + e.getMessage() + ": not looked up in the symbol stores");
      return null;
    }
  }

  private static PdbId pdbId(ModulesTable.Module m, AddressSpaces.Resolved r) {
    if (m.pdbGuid() != null && m.pdbName() != null) {
      return new PdbId(m.pdbName(), UUID.fromString(m.pdbGuid()), (int) m.pdbAge());
    }
    if (r != null && r.detail() != null
        && (AddressSpaces.PE.equals(r.codeSource()) || AddressSpaces.PE_DVRT.equals(r.codeSource()))) {
      try (PeFile pe = PeFile.open(Path.of(r.detail()))) {
        return pe.codeView() == null ? null : PdbId.of(pe.codeView());
      } catch (iptq.InputException e) {
        return null;
      }
    }
    return null;
  }

  private static SymbolLoader.Loaded load(SymbolLoader loader, ModulesTable.Module m, AddressSpaces.Resolved r) {
    boolean fromPe = r != null && r.detail() != null
        && (AddressSpaces.PE.equals(r.codeSource()) || AddressSpaces.PE_DVRT.equals(r.codeSource()));
    if (fromPe) {
      try (PeFile pe = PeFile.open(Path.of(r.detail()))) {
        return loader.load(m.name(), pe);
      }
    }
    PdbId id = m.pdbGuid() == null || m.pdbName() == null
        ? null : new PdbId(m.pdbName(), UUID.fromString(m.pdbGuid()), (int) m.pdbAge());
    return loader.load(m.name(), id, List.of(), List.of());
  }

  private static ModuleRecord record(ModulesTable.Module m) {
    return new ModuleRecord(m.path() != null ? m.path() : m.name(), m.base(), m.size(), m.pid(),
        m.loadTs() == TableWriter.NULL ? Long.MIN_VALUE : m.loadTs(),
        m.unloadTs() == TableWriter.NULL ? Long.MAX_VALUE : m.unloadTs(),
        m.timeDateStamp() == TableWriter.NULL ? 0 : m.timeDateStamp(),
        m.checksum() == TableWriter.NULL ? 0 : m.checksum());
  }

  private static ModulesTable.Module withSources(ModulesTable.Module m, String code, String symbols) {
    return new ModulesTable.Module(m.moduleId(), m.traceId(), m.pid(), m.base(), m.size(), m.path(),
        m.name(), m.timeDateStamp(), m.checksum(), m.pdbGuid(), m.pdbAge(), m.pdbName(), m.loadTs(),
        m.unloadTs(), m.kernel(), code, symbols);
  }

  List<ModuleInfo> modules() {
    return modules;
  }

  /** The dumps that gave code to at least one module of this trace. */
  java.util.Set<Path> dumpsUsed() {
    return spaces.dumpsUsed();
  }

  /**
   * What ingest says details of only with --verbose: the PDBs not found (its summary names those of
   * the modules the trace ran, with what would give them).
   */
  List<String> details() {
    return details;
  }

  List<String> warnings() {
    return warnings;
  }

  /** Whether any module has code: otherwise decoding the flow would only produce no-code errors. */
  /** Whether PE images came from the symbol stores (then there is code though no option gave any). */
  boolean codeFromStores() {
    return codeFromStores;
  }

  boolean hasCode() {
    for (ModuleInfo m : modules) if (!AddressSpaces.NONE.equals(m.codeSource())) return true;
    return false;
  }

  @Override
  public CodeImage imageFor(SegmentInput segment) {
    long pid = pid(segment), ts = time(segment);
    CodeImage modules = pid >= 0 ? spaces.image(pid, ts) : spaces.image(ts);
    return raw == null ? modules : new Overlay(modules, raw);
  }

  /**
   * Raw sections ({@code --image FILE@ADDR}) are visible in every address space, as ptxed maps
   * them, beneath what the modules provide.
   */
  private record Overlay(CodeImage first, CodeImage second) implements CodeImage {
    @Override
    public int read(long asid, long address, byte[] dst, int off, int len) {
      int n = first.read(asid, address, dst, off, len);
      return n > 0 ? n : second.read(asid, address, dst, off, len);
    }

    @Override
    public String describe(long asid, long address) {
      String d = first.describe(asid, address);
      return d != null ? d : second.describe(asid, address);
    }

    @Override
    public boolean sameInEveryAddressSpace(long address) {
      return first.sameInEveryAddressSpace(address) && second.sameInEveryAddressSpace(address);
    }
  }

  /**
   * The kernel's and the process's modules loaded when the segment was taken, as {@link
   * #imageFor} picks their code: where a module was unloaded and another loaded at its address,
   * each segment names the code after the one it ran. Segments that see the same modules share
   * one map.
   */
  @Override
  public SymbolMap symbolsFor(SegmentInput segment) {
    long pid = pid(segment), ts = time(segment);
    BitSet seen = new BitSet(modules.size());
    for (int i = 0; i < modules.size(); i++) {
      ModulesTable.Module r = modules.get(i).row();
      if ((r.kernel() || r.pid() == pid) && records.get(i).aliveAt(ts)) seen.set(i);
    }
    return maps.computeIfAbsent(seen, s -> {
      List<SymbolMap.Module> mods = new ArrayList<>();
      s.stream().forEach(i -> {
        ModulesTable.Module r = modules.get(i).row();
        mods.add(new SymbolMap.Module(r.name(), r.base(), r.size(), modules.get(i).symbols()));
      });
      return new SymbolMap(mods);
    });
  }

  /** The segment's process, or -1 when unknown (then only kernel modules are seen). */
  private static long pid(SegmentInput segment) {
    return segment.pid() == TableWriter.NULL ? -1 : segment.pid();
  }

  /** When the segment was taken, for picking the modules loaded then: code and names alike. */
  private static long time(SegmentInput segment) {
    return segment.ts() == TableWriter.NULL ? 0 : segment.ts();
  }

  @Override
  public long pidOf(long cr3) {
    long p = spaces.pidOfAsid(cr3);
    return p < 0 ? TableWriter.NULL : p;
  }

  @Override
  public void close() {
    spaces.close();
  }
}
