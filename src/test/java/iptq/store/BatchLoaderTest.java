package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches go in on background threads: all of them, in order, with the writer's vectors reused
 * for the next batch as a TableWriter reuses them; a batch that fails to load is named, and the
 * writers behind it neither hang nor leak.
 */
class BatchLoaderTest {
  @TempDir Path dir;

  @Test
  void everyBatchGoesInInOrderWhileTheWriterReusesItsVectors() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Store store = Store.create(dir.resolve("t.duckdb"), false);
        BatchLoader loader = new BatchLoader(store, allocator);
        VarCharVector key = new VarCharVector("key", allocator);
        VarCharVector value = new VarCharVector("value", allocator)) {
      VectorSchemaRoot batch = new VectorSchemaRoot(List.of(key, value));
      List<String> written = new ArrayList<>();
      for (int b = 0; b < 20; b++) {
        for (int i = 0; i < 100; i++) {
          String k = String.format("k%02d-%03d", b, i);
          key.setSafe(i, k.getBytes(StandardCharsets.UTF_8));
          value.setSafe(i, ("v" + b).getBytes(StandardCharsets.UTF_8));
          written.add(k);
        }
        key.setValueCount(100);
        value.setValueCount(100);
        batch.setRowCount(100);
        loader.accept("meta", batch, allocator);
        key.reset();
        value.reset();
      }
      loader.finish();
      store.finishLoading(); // the loaders' transactions committed, so that this connection sees their rows
      List<String> read = new ArrayList<>();
      try (Statement st = store.connection().createStatement();
          ResultSet rs = st.executeQuery("SELECT key FROM meta WHERE key LIKE 'k%'")) {
        while (rs.next()) read.add(rs.getString(1));
      }
      assertEquals(written, read);
    }
  }

  @Test
  void aBatchThatFailsIsNamedAndTheRestNeitherHangsNorLeaks() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Store store = Store.create(dir.resolve("t.duckdb"), false)) {
      BatchLoader loader = new BatchLoader(store, allocator);
      IllegalStateException e;
      try (VarCharVector key = new VarCharVector("key", allocator);
          VarCharVector value = new VarCharVector("value", allocator)) {
        VectorSchemaRoot batch = new VectorSchemaRoot(List.of(key, value));
        e = assertThrows(IllegalStateException.class, () -> {
          // meta already holds iptq_version: the first batch breaks its primary key. The writer
          // goes on past the queue's bound and learns of it at a later batch or at the end.
          for (int b = 0; b < 50; b++) {
            key.setSafe(0, "iptq_version".getBytes(StandardCharsets.UTF_8));
            value.setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
            key.setValueCount(1);
            value.setValueCount(1);
            batch.setRowCount(1);
            loader.accept("meta", batch, allocator);
            key.reset();
            value.reset();
          }
          loader.finish();
        });
      }
      assertTrue(e.getMessage().startsWith("loading meta: "), e.getMessage());
      assertTrue(e.getMessage().contains("iptq_version"), e.getMessage());
      loader.close(); // frees what is still queued: the allocator closes without a leak
    }
  }
}
