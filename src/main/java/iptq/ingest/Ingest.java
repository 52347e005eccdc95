package iptq.ingest;

import iptq.InputException;
import iptq.etl.IptSegment;
import iptq.etl.IptSysFile;
import iptq.pt.PacketClock;
import iptq.pt.RawTrace;
import iptq.store.BatchLoader;
import iptq.store.Store;
import iptq.table.EventsTable;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import iptq.table.SymbolsTable;
import iptq.table.ThreadsTable;
import iptq.table.BatchSink;
import iptq.table.SegmentsTable;
import iptq.table.TableWriter;
import iptq.table.TracesTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * {@code iptq ingest}: inputs → segments → decoders → tables → one DuckDB file. Segments are
 * independent, so they are decoded in parallel, one task each; every worker thread fills its own
 * Arrow batches, and only a full batch takes the store's lock. Memory is bounded by batch size
 * times threads, plus a bounded queue of waiting segments.
 */
public final class Ingest {
  /** What an ingest produced, for the command's summary line. */
  public record Summary(int traces, long segments, long packets, long errors, Path output) {}

  /** What the segments needed and did not get, printed when ingest ends. */
  private final CodeNeeds needs = new CodeNeeds();
  /** The dumps that gave code to some module of some trace. */
  private final java.util.Set<Path> dumpsUsed = new java.util.HashSet<>();
  private final DumpMatch dumpMatch = new DumpMatch();

  private final IngestOptions options;
  private final Progress progress;
  private final HeapBudget budget = HeapBudget.ofHeap();

  public Ingest(IngestOptions options, Progress progress) {
    this.options = options;
    this.progress = progress;
  }

  public Summary run() throws IOException, SQLException {
    long total = 0;
    for (Path p : options.traces()) {
      InputException.requireFile(p, "trace file");
      total += Files.size(p);
    }
    progress.total(total);
    try (BufferAllocator allocator = new RootAllocator();
        Store store = Store.create(options.output(), options.force());
        BatchLoader loader = new BatchLoader(store, allocator)) {
      Summary s = ingestAll(allocator, loader);
      loader.finish();
      // the loaders' transactions, committed so that the derived tables are completed from them
      store.finishLoading();
      iptq.store.Derived.fill(store.connection());
      store.commit();
      if (options.parquetDir() != null) iptq.store.ParquetExport.writeDataset(options.output(), options.parquetDir());
      progress.done();
      for (String line : needs.lines(codeGiven())) System.err.println("iptq: " + line);
      for (Path d : options.dumps()) {
        if (!dumpsUsed.contains(d.toAbsolutePath().normalize())) System.err.println("iptq: warning: " + dumpMatch.why(d));
      }
      return s;
    } finally {
      progress.done();
    }
  }

  /**
   * Decodes every input as {@link #run} does, handing each full table batch to {@code sink}, and
   * writes no database: decoding and row-making measured apart from loading ({@code bench/ingest}).
   * The sink must not keep a batch: its vectors are reused once it returns.
   */
  public Summary decodeOnly(BatchSink sink) throws IOException {
    for (Path p : options.traces()) InputException.requireFile(p, "trace file");
    try (BufferAllocator allocator = new RootAllocator()) {
      return ingestAll(allocator, sink);
    }
  }

  /** The state shared by the traces of one ingest: ids handed out, and the decoding pool. */
  private final class Run {
    final BufferAllocator allocator;
    final BatchSink sink;
    final ThreadPoolExecutor pool;
    final ConcurrentLinkedQueue<Tables> perThread = new ConcurrentLinkedQueue<>();
    final ThreadLocal<Tables> tables;
    final List<Future<SegmentsTable.Segment>> pending = new ArrayList<>();
    final List<AutoCloseable> open = new ArrayList<>();
    final java.util.Set<String> warned = new java.util.HashSet<>();
    final TracesTable traces;
    final EventsTable events;
    final ProcessesTable processes;
    final ThreadsTable threads;
    final ModulesTable modules;
    final SymbolsTable symbols;
    final Places places;
    long nextSegment = 1, nextEvent = 0, nextModule = 0;

    Run(BufferAllocator allocator, BatchSink sink) {
      this.allocator = allocator;
      this.sink = sink;
      places = new Places(new iptq.table.PlacesTable(allocator, sink));
      int n = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
      // A task's "done" (freeing its heap budget) runs once the task has finished and dropped its
      // callable, and with it the segment's bytes: only then may the next ring be allocated.
      pool = new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(n * 4),
          (r, ex) -> {
            if (ex.isShutdown()) return;
            r.run();
            finished(r);
          }) {
        @Override
        protected void afterExecute(Runnable r, Throwable t) {
          finished(r);
        }
      };
      tables = ThreadLocal.withInitial(() -> {
        Tables t = new Tables(allocator, sink, "worker-" + Thread.currentThread().getName(), places);
        perThread.add(t);
        return t;
      });
      traces = new TracesTable(allocator, sink);
      events = new EventsTable(allocator, sink);
      processes = new ProcessesTable(allocator, sink);
      threads = new ThreadsTable(allocator, sink);
      modules = new ModulesTable(allocator, sink);
      symbols = new SymbolsTable(allocator, sink);
    }

    void submit(SegmentDecoder decoder, SegmentInput in) {
      submit(decoder, in, () -> {});
    }

    final java.util.Map<Runnable, Runnable> whenFinished = new java.util.concurrent.ConcurrentHashMap<>();

    void finished(Runnable task) {
      Runnable done = whenFinished.remove(task);
      if (done != null) done.run();
    }

    /** As above; {@code done} runs when the segment's task has finished (or failed), e.g. to free its budget. */
    void submit(SegmentDecoder decoder, SegmentInput in, Runnable done) {
      java.util.concurrent.FutureTask<SegmentsTable.Segment> task = new java.util.concurrent.FutureTask<>(() -> {
        SegmentsTable.Segment row = decoder.decode(in, tables.get());
        progress.segmentDone(in.sizeBytes());
        return row;
      });
      whenFinished.put(task, done);
      pending.add(task);
      pool.execute(task);
    }
  }

  private Summary ingestAll(BufferAllocator allocator, BatchSink sink)
      throws IOException {
    Run run = new Run(allocator, sink);
    long segments = 0, packets = 0, errors = 0;
    try (SegmentsTable segmentRows = new SegmentsTable(allocator, sink)) {
      int traceId = 0;
      for (Path path : options.traces()) {
        traceId++;
        FileKind kind = FileKind.of(path);
        switch (kind) {
          case RAW_PT -> raw(run, traceId, path);
          case ETL -> etl(run, traceId, path);
          case IPT_SYS -> iptSys(run, traceId, path);
          case UNKNOWN -> throw new InputException(path, 0, FileKind.unknownWhy(path));
          default -> throw new InputException(path, -1, "a " + kind.description() + ", not a trace: iptq ingest reads .etl, ipt.sys and raw Intel PT traces"
              + (kind == FileKind.MINIDUMP || kind == FileKind.KERNEL_DUMP ? " (give dumps with --dump)"
              : kind == FileKind.PE ? " (give PE files with --image-path)"
              : kind == FileKind.PDB ? " (give PDB folders with --symbols)" : ""));
        }
      }
      run.pool.shutdown();
      for (Future<SegmentsTable.Segment> f : run.pending) {
        SegmentsTable.Segment row = get(f);
        segmentRows.add(row);
        segments++;
        packets += row.packets();
        errors += row.errors();
      }
      // Each worker's last partial batches go in once all segments are done.
      for (Tables t : run.perThread) t.close();
      run.places.close();
      for (TableWriter w : List.of(run.traces, run.events, run.processes, run.threads, run.modules, run.symbols)) {
        w.close();
      }
    } finally {
      run.pool.shutdownNow();
      for (AutoCloseable c : run.open) {
        try {
          c.close();
        } catch (Exception ignored) {
          // read-only files; nothing to lose
        }
      }
    }
    return new Summary(options.traces().size(), segments, packets, errors, options.output());
  }

  private boolean codeGiven() {
    return !options.dumps().isEmpty() || !options.imagePaths().isEmpty() || !options.rawImages().isEmpty();
  }

  private CodeContext rawCode() {
    return options.rawImages().isEmpty()
        ? CodeContext.NONE : new RawCodeContext(iptq.image.RawImage.of(options.rawImages()));
  }

  private void raw(Run run, int traceId, Path path) throws IOException {
    RawTrace raw = RawTrace.open(path);
    run.open.add(raw);
    SegmentDecoder decoder = new SegmentDecoder(options.packets(), rawCode(), options.instructions(),
        codeGiven(), needs, false);
    run.submit(decoder, SegmentInput.raw(run.nextSegment++, traceId, raw::decoder, raw.size(), options.time()));
    run.traces.add(headerlessTrace(traceId, path, "raw-pt", raw.size()));
  }

  /**
   * The traces row of an input with no header of its own (raw and ipt.sys traces): its clock is
   * the TSC where --tsc-hz gives its frequency, else none.
   */
  private TracesTable.Trace headerlessTrace(int traceId, Path path, String kind, long size) {
    boolean tsc = options.time().hasFrequency();
    return new TracesTable.Trace(traceId, path.toAbsolutePath().toString(), kind, size,
        TableWriter.NULL, tsc ? "tsc" : "none", tsc ? options.time().tscHz() : TableWriter.NULL,
        TableWriter.NULL, TableWriter.NULL, null);
  }

  private void iptSys(Run run, int traceId, Path path) throws IOException {
    SegmentDecoder decoder = new SegmentDecoder(options.packets(), rawCode(), options.instructions(),
        codeGiven(), needs, false);
    try (IptSysFile f = IptSysFile.open(path)) {
      while (f.hasNext()) submitRing(run, decoder, f, traceId);
    }
    run.traces.add(headerlessTrace(traceId, path, "ipt-sys", Files.size(path)));
  }

  /**
   * Reads the next ring within the heap budget and hands it to the pool. A method of its own, so
   * that no local variable of the reading loop keeps the last ring alive while the next one is
   * allocated.
   */
  private void submitRing(Run run, SegmentDecoder decoder, IptSysFile f, int traceId) throws IOException {
    int held = acquire(f.nextSize());
    IptSegment s;
    try {
      s = f.next();
    } catch (IOException | RuntimeException e) {
      budget.release(held);
      throw e;
    }
    run.submit(decoder, EtlSegmentInputs.of(s, run.nextSegment++, traceId, 0, segmentTime(s, options.time())),
        () -> budget.release(held));
  }

  /**
   * An .etl file in two passes: the first learns the modules and processes, so that the code of
   * every module can be found (dumps, PE files, symbols) before any segment is decoded; the
   * second writes the events and decodes each IPT buffer as it comes.
   */
  /**
   * The symbol path of a run: {@code --symbols} entries first, then {@code _NT_SYMBOL_PATH}; one
   * client for the whole run, so a file is looked up (and a "not on the server" learnt) once.
   */
  private synchronized iptq.symsrv.SymbolServer symbolServer() {
    if (symbolServer == null) {
      iptq.symsrv.SymbolServer.Options o = options.symbolServer() != null
          ? options.symbolServer() : iptq.symsrv.SymbolServer.Options.defaults();
      symbolServer = new iptq.symsrv.SymbolServer(storePath(options.symbolPaths()), o);
    }
    return symbolServer;
  }

  private iptq.symsrv.SymbolServer symbolServer;

  /** {@code entries} then the entries of {@code _NT_SYMBOL_PATH}, the default cache for {@code srv*URL}. */
  static iptq.symsrv.StorePath storePath(List<String> entries) {
    List<String> all = new ArrayList<>(entries);
    String env = System.getenv("_NT_SYMBOL_PATH");
    if (env != null) all.add(env);
    return iptq.symsrv.StorePath.parse(all, iptq.symsrv.StorePath.defaultCache());
  }

  private void etl(Run run, int traceId, Path path) throws IOException {
    int hook = options.iptHook() == null ? -1 : options.iptHook();
    List<ModulesTable.Module> moduleRows = new ArrayList<>();
    List<ProcessesTable.Process> processRows = new ArrayList<>();
    long moduleBase = run.nextModule;
    EtlSource.Result learned = EtlSource.read(path, hook,
        new EtlTables(traceId, 0, moduleBase, null, processRows::add, null, moduleRows::add), s -> {});
    run.nextModule += moduleRows.size();

    WindowsCodeContext windows = new WindowsCodeContext(moduleRows, processRows, options.dumps(),
        options.imagePaths(), symbolServer(), options.rawImages(), options.importOptimization());
    // code may come from the symbol stores too (PE images by TimeDateStamp and SizeOfImage)
    boolean anyCode = codeGiven() || windows.codeFromStores();
    run.open.add(windows);
    // the same module in several recordings (or loaded twice) would repeat its warning
    for (String w : windows.warnings()) if (run.warned.add(w)) System.err.println("iptq: warning: " + w);
    // each PDB not found is in the summary for the modules that ran; module by module only when asked
    if (options.verbose()) for (String d : windows.details()) if (run.warned.add(d)) System.err.println("iptq: detail: " + d);
    for (Path d : windows.dumpsUsed()) dumpsUsed.add(d.toAbsolutePath().normalize());
    dumpMatch.trace(traceId, processRows, moduleRows);
    // Without code the packets are still named by module, for the summary of what was missing.
    CodeContext code = anyCode && (windows.hasCode() || !options.rawImages().isEmpty())
        ? windows : CodeContext.namesOnly(windows);
    List<ModulesTable.Module> resolvedRows = new ArrayList<>();
    for (WindowsCodeContext.ModuleInfo m : windows.modules()) resolvedRows.add(m.row());
    needs.modules(resolvedRows);
    for (WindowsCodeContext.ModuleInfo m : windows.modules()) {
      run.modules.add(m.row());
      var syms = m.symbols();
      for (int i = 0; i < syms.rowCount(); i++) {
        var r = syms.row(i);
        run.symbols.add(m.row().moduleId(), r.rva(), r.size() <= 0 ? TableWriter.NULL : r.size(), r.name(), r.source());
      }
    }

    SegmentDecoder decoder = new SegmentDecoder(options.packets(), code, options.instructions(),
        anyCode, needs, true);
    long eventBase = run.nextEvent;
    EtlTables tables = new EtlTables(traceId, eventBase, moduleBase, run.events,
        run.processes::add, run.threads, null).startTime(EtlTables.startNanos(learned.header()));
    // The TSC runs at the processor's nominal frequency, which the logfile header gives (MHz);
    // --tsc-hz overrides it.
    int mhz = learned.header().cpuSpeedMHz();
    long hz = options.time().hasFrequency() ? options.time().tscHz()
        : mhz > 0 ? mhz * 1_000_000L : TableWriter.NULL;
    TimeBase etlTime = new TimeBase(options.time().clock(), hz, TableWriter.NULL);
    EtlSource.Result result = EtlSource.read(path, hook, tables, s ->
        run.submit(decoder, EtlSegmentInputs.of(s, run.nextSegment++, traceId, eventBase, segmentTime(s, etlTime))));
    run.nextEvent += result.events() + 1;
    run.traces.add(EtlTables.trace(traceId, path, Files.size(path), result.header()));
  }

  /** The segment's timing parameters: MTCFreq from its IptOption, the rest from the options. */
  static TimeBase segmentTime(IptSegment s, TimeBase base) {
    PacketClock.Config c = base.clock();
    int mtc = s.option() != null && s.option().value() != 0 ? s.option().mtcFreq() : c.mtcFreq();
    return new TimeBase(new PacketClock.Config(mtc, c.cpuid15Eax(), c.cpuid15Ebx(), c.nominalRatio()),
        base.tscHz(), base.tscOrigin());
  }

  private int acquire(long bytes) throws IOException {
    try {
      return budget.acquire(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static <T> T get(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) throw r;
      if (c instanceof IOException io) throw io;
      throw new IllegalStateException(c);
    }
  }
}
