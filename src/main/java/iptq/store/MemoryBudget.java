package iptq.store;

/**
 * How an ingest's memory is shared out, so that its peak RSS stays under {@link #TOTAL} whatever
 * the trace's size: the Java heap (capped by the launcher's {@code -Xmx}), the Arrow batches on
 * their way to DuckDB (bounded by {@link BatchLoader}'s queues), the JVM's own code and data, and
 * what is left to DuckDB, whose buffer pool would otherwise grow to 80% of the machine's memory
 * while the row groups of a large trace stay cached. DuckDB spills what does not fit (to the
 * ingest's temporary folder) rather than grow.
 */
public record MemoryBudget(long duckdbBytes, int duckdbThreads) {
  /** The whole ingest process. */
  public static final long TOTAL = 512L << 20;
  /** The JVM's code, metaspace, thread stacks and the native libraries' text. */
  static final long JVM_NATIVE = 96L << 20;
  /** Arrow batches in the workers' tables, queued and loading (about 3 MiB a batch). */
  static final long ARROW = 80L << 20;
  /**
   * The heap an ingest uses, whatever its maximum: the decoders' state and a segment or two
   * (the launchers give ingest {@code -Xmx256m} so that a 128 MiB ipt.sys ring fits; only such
   * a ring takes the heap past this).
   */
  static final long HEAP_SHARE = 128L << 20;
  /** DuckDB never gets less than this: below it, appends of wide row groups fail. */
  static final long DUCKDB_MIN = 64L << 20;
  /** Nor more: beyond it a faster ingest was not measured. */
  static final long DUCKDB_MAX = 160L << 20;

  /** The budget of this process: its maximum heap, its processors. */
  public static MemoryBudget of() {
    return of(TOTAL, Runtime.getRuntime().maxMemory(), Runtime.getRuntime().availableProcessors());
  }

  /** What is left of {@code total} for DuckDB when the heap may reach {@code maxHeap}; one DuckDB thread per processor. */
  static MemoryBudget of(long total, long maxHeap, int processors) {
    long left = total - Math.min(maxHeap, HEAP_SHARE) - JVM_NATIVE - ARROW;
    return new MemoryBudget(Math.max(DUCKDB_MIN, Math.min(DUCKDB_MAX, left)), Math.max(1, processors));
  }

  /** The settings, as SQL. */
  String sql() {
    return "SET memory_limit = '" + (duckdbBytes >> 20) + "MiB'; SET threads = " + duckdbThreads;
  }
}
