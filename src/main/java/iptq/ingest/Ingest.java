package iptq.ingest;

import iptq.InputException;
import iptq.pt.RawTrace;
import iptq.store.Store;
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

  private final IngestOptions options;
  private final Progress progress;

  public Ingest(IngestOptions options, Progress progress) {
    this.options = options;
    this.progress = progress;
  }

  public Summary run() throws IOException, SQLException {
    long total = 0;
    for (Path p : options.traces()) {
      if (!Files.isRegularFile(p)) throw new InputException(p, -1, "no such file");
      total += Files.size(p);
    }
    progress.total(total);
    try (BufferAllocator allocator = new RootAllocator();
        Store store = Store.create(options.output(), options.force())) {
      BatchSink sink = synchronizedSink(store);
      Summary s = ingestAll(store, allocator, sink);
      store.commit();
      progress.done();
      return s;
    } finally {
      progress.done();
    }
  }

  private static BatchSink synchronizedSink(Store store) {
    return (table, batch, allocator) -> {
      synchronized (store) {
        try {
          store.load(table, batch, allocator);
        } catch (SQLException e) {
          throw new IllegalStateException("loading " + table + ": " + e.getMessage(), e);
        }
      }
    };
  }

  private Summary ingestAll(Store store, BufferAllocator allocator, BatchSink sink)
      throws IOException {
    int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    ConcurrentLinkedQueue<Tables> perThread = new ConcurrentLinkedQueue<>();
    ThreadLocal<Tables> tables = ThreadLocal.withInitial(() -> {
      Tables t = new Tables(allocator, sink, "worker-" + Thread.currentThread().getName());
      perThread.add(t);
      return t;
    });
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(threads * 4), new ThreadPoolExecutor.CallerRunsPolicy());
    List<Future<SegmentsTable.Segment>> pending = new ArrayList<>();
    CodeContext code = options.rawImages().isEmpty()
        ? CodeContext.NONE : new RawCodeContext(iptq.image.RawImage.of(options.rawImages()));
    SegmentDecoder decoder = new SegmentDecoder(options.packets(), code, options.instructions());
    List<AutoCloseable> open = new ArrayList<>();
    long segments = 0, packets = 0, errors = 0;
    try (TracesTable traces = new TracesTable(allocator, sink);
        SegmentsTable segmentRows = new SegmentsTable(allocator, sink)) {
      int traceId = 0;
      long nextSegment = 1;
      for (Path path : options.traces()) {
        traceId++;
        FileKind kind = FileKind.of(path);
        long size = Files.size(path);
        switch (kind) {
          case RAW_PT -> {
            RawTrace raw = RawTrace.open(path);
            open.add(raw);
            SegmentInput in = SegmentInput.raw(nextSegment++, traceId, raw::decoder, raw.size(), options.time());
            pending.add(pool.submit(() -> {
              SegmentsTable.Segment row = decoder.decode(in, tables.get());
              progress.segmentDone(in.sizeBytes());
              return row;
            }));
            boolean tsc = options.time().hasFrequency();
            traces.add(new TracesTable.Trace(traceId, path.toAbsolutePath().toString(), "raw-pt",
                size, TableWriter.NULL, tsc ? "tsc" : "none",
                tsc ? options.time().tscHz() : TableWriter.NULL, TableWriter.NULL,
                TableWriter.NULL, null));
          }
          default -> throw new InputException(path, 0,
              "cannot ingest a " + kind.description() + " (iptq ingests raw Intel PT traces"
                  + " and .etl files)");
        }
      }
      pool.shutdown();
      for (Future<SegmentsTable.Segment> f : pending) {
        SegmentsTable.Segment row = get(f);
        segmentRows.add(row);
        segments++;
        packets += row.packets();
        errors += row.errors();
      }
      // Each worker flushes its own last partial batches once all segments are done.
      for (Tables t : perThread) t.close();
    } finally {
      pool.shutdownNow();
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception ignored) {
          // read-only mappings; nothing to lose
        }
      }
    }
    return new Summary(options.traces().size(), segments, packets, errors, options.output());
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
