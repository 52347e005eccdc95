package iptq.table;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Fills the Arrow vectors of one table, row by row, and hands each full batch to a
 * {@link BatchSink}. Subclasses declare their columns (named as in {@code schema/*.sql}) and a
 * typed {@code add} method; nothing is boxed per row.
 *
 * <p>Nulls: {@link #NULL} (Long.MIN_VALUE) stands for SQL NULL in the numeric setters, null
 * for strings.
 */
public abstract class TableWriter implements AutoCloseable {
  public static final long NULL = Long.MIN_VALUE;
  /**
   * Rows per batch. Each table of each worker holds a batch, and one more waits and one loads per
   * table (see BatchLoader): their Arrow buffers were 130 MiB of an ingest's memory with 65,536
   * and 122,880 rows; halved, the loading is as fast (DuckDB gathers a loader's appends into
   * whole row groups within its transaction).
   */
  public static final int DEFAULT_BATCH_ROWS = 32_768;
  /** For the tables of millions of rows (blocks, branches): half a DuckDB row group of 122,880 rows. */
  public static final int LARGE_BATCH_ROWS = 61_440;

  private final String table;
  private final BufferAllocator allocator;
  private final BatchSink sink;
  private final int batchRows;
  private final List<FieldVector> vectors = new ArrayList<>();
  private final Map<String, byte[]> utf8 = new HashMap<>();
  private VectorSchemaRoot root;
  protected int row;
  private long rowsWritten;

  protected TableWriter(String table, BufferAllocator allocator, BatchSink sink, int batchRows) {
    this.table = table;
    this.allocator = allocator;
    this.sink = sink;
    this.batchRows = batchRows;
  }

  public String table() {
    return table;
  }

  public long rowsWritten() {
    return rowsWritten + row;
  }

  // Column declarations, in the table's column order.
  protected final BigIntVector bigint(String name) {
    return add(new BigIntVector(name, allocator));
  }

  protected final IntVector integer(String name) {
    return add(new IntVector(name, allocator));
  }

  protected final SmallIntVector smallint(String name) {
    return add(new SmallIntVector(name, allocator));
  }

  protected final TinyIntVector tinyint(String name) {
    return add(new TinyIntVector(name, allocator));
  }

  protected final org.apache.arrow.vector.UInt1Vector utinyint(String name) {
    return add(new org.apache.arrow.vector.UInt1Vector(name, allocator));
  }

  protected final UInt8Vector ubigint(String name) {
    return add(new UInt8Vector(name, allocator));
  }

  protected final UInt4Vector uinteger(String name) {
    return add(new UInt4Vector(name, allocator));
  }

  protected final BitVector bool(String name) {
    return add(new BitVector(name, allocator));
  }

  protected final VarCharVector varchar(String name) {
    return add(new VarCharVector(name, allocator));
  }

  protected final TimeStampMicroVector timestamp(String name) {
    return add(new TimeStampMicroVector(name, org.apache.arrow.vector.types.pojo.FieldType.nullable(
        new org.apache.arrow.vector.types.pojo.ArrowType.Timestamp(
            org.apache.arrow.vector.types.TimeUnit.MICROSECOND, null)), allocator));
  }

  /** A TIMESTAMP_NS column (UTC): ns since the Unix epoch. */
  protected final org.apache.arrow.vector.TimeStampNanoVector timestampNs(String name) {
    return add(new org.apache.arrow.vector.TimeStampNanoVector(name, org.apache.arrow.vector.types.pojo.FieldType.nullable(
        new org.apache.arrow.vector.types.pojo.ArrowType.Timestamp(
            org.apache.arrow.vector.types.TimeUnit.NANOSECOND, null)), allocator));
  }

  private <V extends FieldVector> V add(V v) {
    if (root != null) throw new IllegalStateException("columns are declared before the first row");
    vectors.add(v);
    return v;
  }

  // Setters for the current row.
  protected final void set(BigIntVector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, x);
  }

  protected final void set(IntVector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, (int) x);
  }

  protected final void set(SmallIntVector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, (short) x);
  }

  protected final void set(TinyIntVector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, (byte) x);
  }

  protected final void set(org.apache.arrow.vector.UInt1Vector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, (int) x);
  }

  protected final void set(UInt4Vector v, long x) {
    if (x == NULL) v.setNull(row);
    else v.setSafe(row, (int) x);
  }

  /** An unsigned 64-bit value (addresses); {@code present} false makes it NULL. */
  protected final void setU64(UInt8Vector v, long x, boolean present) {
    if (!present) v.setNull(row);
    else v.setSafe(row, x);
  }

  protected final void set(BitVector v, boolean x) {
    v.setSafe(row, x ? 1 : 0);
  }

  protected final void setNullableBool(BitVector v, Boolean x) {
    if (x == null) v.setNull(row);
    else v.setSafe(row, x ? 1 : 0);
  }

  protected final void set(VarCharVector v, String s) {
    if (s == null) {
      v.setNull(row);
      return;
    }
    byte[] b = utf8.size() < 100_000 ? utf8.computeIfAbsent(s, k -> k.getBytes(StandardCharsets.UTF_8))
        : s.getBytes(StandardCharsets.UTF_8);
    v.setSafe(row, b);
  }

  protected final void setMicros(TimeStampMicroVector v, long micros) {
    if (micros == NULL) v.setNull(row);
    else v.setSafe(row, micros);
  }

  protected final void setNanos(org.apache.arrow.vector.TimeStampNanoVector v, long nanos) {
    if (nanos == NULL) v.setNull(row);
    else v.setSafe(row, nanos);
  }

  /** Ends the current row; flushes when the batch is full. */
  protected final void endRow() {
    if (root == null) root = new VectorSchemaRoot(new ArrayList<>(vectors));
    row++;
    if (row >= batchRows) flush();
  }

  /** Hands the rows so far to the sink. */
  public void flush() {
    if (row == 0) return;
    for (FieldVector v : vectors) v.setValueCount(row);
    root.setRowCount(row);
    sink.accept(table, root, allocator);
    rowsWritten += row;
    row = 0;
    for (FieldVector v : vectors) v.reset();
  }

  @Override
  public void close() {
    flush();
    for (FieldVector v : vectors) v.close();
  }
}
