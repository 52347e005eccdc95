package iptq.table;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where full batches go: the DuckDB store, or a test. The batch is only valid during the call;
 * the writer reuses its vectors afterwards.
 */
@FunctionalInterface
public interface BatchSink {
  void accept(String table, VectorSchemaRoot batch, BufferAllocator allocator);
}
