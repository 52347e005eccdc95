package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's share of an ingest's memory, and that a new database gets it. */
class MemoryBudgetTest {
  @TempDir Path dir;

  private static final long MIB = 1L << 20;

  @Test
  void duckdbGetsWhatTheHeapAndTheBatchesLeave() {
    // the heap counts up to its share, however large its maximum: the launchers cap it anyway
    assertEquals(160 * MIB, MemoryBudget.of(512 * MIB, 6L << 30, 2).duckdbBytes());
    assertEquals(160 * MIB, MemoryBudget.of(512 * MIB, 64 * MIB, 2).duckdbBytes());
    // a smaller budget leaves DuckDB less, never less than it needs to append
    assertEquals(128 * MIB, MemoryBudget.of(432 * MIB, 256 * MIB, 2).duckdbBytes());
    assertEquals(64 * MIB, MemoryBudget.of(256 * MIB, 256 * MIB, 2).duckdbBytes());
    assertEquals(4, MemoryBudget.of(512 * MIB, 256 * MIB, 4).duckdbThreads());
    assertEquals(1, MemoryBudget.of(512 * MIB, 256 * MIB, 0).duckdbThreads());
  }

  @Test
  void aNewDatabaseTakesDuckdbsShareInsteadOfMostOfTheMachine() throws Exception {
    MemoryBudget want = MemoryBudget.of();
    try (Store s = Store.create(dir.resolve("m.duckdb"), false);
        Statement st = s.connection().createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('threads'), current_setting('memory_limit')")) {
      assertTrue(rs.next());
      assertEquals(want.duckdbThreads(), rs.getInt(1));
      // DuckDB reports the limit rounded, in its own units ("160.0 MiB")
      String limit = rs.getString(2);
      assertEquals((want.duckdbBytes() >> 20) + ".0 MiB", limit);
    }
  }
}
