package iptq.store;

import iptq.table.BatchSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Loads full batches into a {@link Store} in the background, one thread per table: decoding goes
 * on while DuckDB appends, and appends to different tables (blocks and branches above all) run
 * side by side, where loading them on the decoding thread left one core idle and the decoder
 * waiting. A batch's buffers move out of its writer without a copy; each table's batches go in
 * in the order they came. Bounded: a writer waits while its table has {@link #QUEUED} batches
 * waiting, so memory does not grow with the trace.
 */
public final class BatchLoader implements BatchSink, AutoCloseable {
  private static final int QUEUED = 2;
  private static final VectorSchemaRoot END = new VectorSchemaRoot(List.of());

  private final Store store;
  private final BufferAllocator allocator;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private volatile RuntimeException failure;

  public BatchLoader(Store store, BufferAllocator parent) {
    this.store = store;
    this.allocator = parent.newChildAllocator("batch-loader", 0, Long.MAX_VALUE);
  }

  @Override
  public void accept(String table, VectorSchemaRoot batch, BufferAllocator from) {
    rethrow();
    Lane lane = lanes.computeIfAbsent(table, Lane::new);
    VectorSchemaRoot moved = moveOut(batch);
    try {
      lane.queue.put(moved);
    } catch (InterruptedException e) {
      moved.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + table, e);
    }
  }

  /** Waits until every batch handed over is in the store; throws what went wrong loading one. */
  public void finish() {
    for (Lane lane : lanes.values()) lane.end();
    for (Lane lane : lanes.values()) lane.join();
    lanes.clear();
    rethrow();
  }

  /** Stops loading (after a failure elsewhere): batches still waiting are dropped. */
  @Override
  public void close() {
    for (Lane lane : lanes.values()) {
      lane.thread.interrupt();
      lane.join();
      for (VectorSchemaRoot r; (r = lane.queue.poll()) != null; ) r.close();
    }
    lanes.clear();
    allocator.close();
  }

  private void rethrow() {
    RuntimeException e = failure;
    if (e != null) throw e;
  }

  /** The batch's vectors, moved (not copied) into new ones; the writer's are left empty for its next batch. */
  private VectorSchemaRoot moveOut(VectorSchemaRoot batch) {
    List<FieldVector> moved = new ArrayList<>();
    for (FieldVector v : batch.getFieldVectors()) {
      TransferPair t = v.getTransferPair(allocator);
      t.transfer();
      moved.add((FieldVector) t.getTo());
    }
    VectorSchemaRoot r = new VectorSchemaRoot(moved);
    r.setRowCount(batch.getRowCount());
    return r;
  }

  /** One table's queue and the thread that loads it. */
  private final class Lane {
    final String table;
    final BlockingQueue<VectorSchemaRoot> queue = new ArrayBlockingQueue<>(QUEUED);
    final Thread thread;

    Lane(String table) {
      this.table = table;
      thread = new Thread(this::run, "iptq-load-" + table);
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      try {
        for (VectorSchemaRoot next; (next = queue.take()) != END; ) {
          try (VectorSchemaRoot r = next) {
            // After a failure the rest is only freed, so that writers waiting on the queue go on
            // and meet the failure at their next batch.
            if (failure == null) store.load(table, r, allocator);
          } catch (Throwable e) {
            // Anything, so that this thread goes on taking batches: a writer must never wait on
            // a queue nobody empties.
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            if (failure == null) failure = new IllegalStateException("loading " + table + ": " + why, e);
          }
        }
      } catch (InterruptedException e) {
        // closed: the owner frees what is left
      }
    }

    void end() {
      try {
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while finishing " + table, e);
      }
    }

    void join() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while finishing " + table, e);
      }
    }
  }
}
