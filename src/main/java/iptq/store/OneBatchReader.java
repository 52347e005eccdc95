package iptq.store;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} over one batch that is already in memory, so that it can be exported as
 * an Arrow C stream. The buffers are shared by reference counting, not copied.
 */
final class OneBatchReader extends ArrowReader {
  private final VectorSchemaRoot source;
  private boolean served;

  OneBatchReader(BufferAllocator allocator, VectorSchemaRoot source) {
    super(allocator);
    this.source = source;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    if (served) return false;
    served = true;
    try (ArrowRecordBatch batch = new VectorUnloader(source).getRecordBatch()) {
      new VectorLoader(getVectorSchemaRoot()).load(batch);
    }
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return source.getSchema();
  }
}
