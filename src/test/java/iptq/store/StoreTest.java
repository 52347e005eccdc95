package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.table.BranchesTable;
import iptq.table.ModulesTable;
import iptq.table.PacketsTable;
import iptq.table.TableWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;

  private static long one(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getLong(1);
    }
  }

  private static String text(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  @Test
  void batchesArriveByNameWithNullsAndUnsignedAddresses() throws Exception {
    Path db = dir.resolve("t.duckdb");
    try (BufferAllocator alloc = new RootAllocator();
        Store store = Store.create(db, false)) {
      try (PacketsTable packets = new PacketsTable(alloc, (t, b, a) -> load(store, t, b, a));
          BranchesTable branches = new BranchesTable(alloc, (t, b, a) -> load(store, t, b, a));
          iptq.table.PlacesTable places = new iptq.table.PlacesTable(alloc, (t, b, a) -> load(store, t, b, a));
          ModulesTable modules = new ModulesTable(alloc, (t, b, a) -> load(store, t, b, a))) {
        // More rows than one batch holds, so that flushing mid-way is exercised.
        iptq.pt.Packet p = new iptq.pt.Packet();
        for (int i = 0; i < 70_000; i++) {
          p.kind = i % 2 == 0 ? iptq.pt.PacketKind.TNT_8 : iptq.pt.PacketKind.TIP;
          p.offset = i;
          p.size = 1;
          p.ip = 0xfffff80212345678L + i;
          p.ipBytes = 6;
          p.tntBits = 0b101;
          p.tntCount = 3;
          packets.add(1, p, -1, TableWriter.NULL);
        }
        places.add(0, 0xfffff80000001010L, "nt", "KiSystemCall64", 0x10, "KiSystemCall64+0x10");
        branches.add(1, 0, 100, 4, 8, 0, BranchesTable.NO_PLACE, iptq.flow.BranchKind.JCC.ordinal(), false);
        modules.add(new ModulesTable.Module(7, 1, 0, 0xfffff80242400000L, 0xab6000, "\\SystemRoot\\system32\\ntoskrnl.exe",
            "ntoskrnl.exe", 0x4269a790L, 0x980591, "f535c5fb-2ae8-4bb8-aa20-6c30be566c5a", 1, "ntkrnlmp.pdb",
            TableWriter.NULL, TableWriter.NULL, true, "kernel-dump", "pdb"));
      }
      store.commit();
    }
    assertTrue(Files.exists(db));
    try (Connection c = Store.open(db, true)) {
      assertEquals(70_000, one(c, "SELECT count(*) FROM packets"));
      assertEquals(35_000, one(c, "SELECT count(*) FROM packets WHERE ip IS NULL"));
      assertEquals("fffff80212345679", text(c, "SELECT lower(hex(ip)) FROM packets WHERE \"offset\" = 1"));
      assertEquals(3, one(c, "SELECT tnt_count FROM packets WHERE \"offset\" = 0"));
      assertEquals(1, one(c, "SELECT count(*) FROM branches WHERE to_ip IS NULL AND NOT taken AND ts = 100"));
      // the branches view names the stored place and kind
      assertEquals("fffff80000001010 nt KiSystemCall64+0x10 jcc", text(c,
          "SELECT lower(hex(from_ip)) || ' ' || from_module || ' ' || from_function || ' ' || kind FROM branches"));
      assertEquals("f535c5fb-2ae8-4bb8-aa20-6c30be566c5a", text(c, "SELECT pdb_guid::VARCHAR FROM modules"));
      assertEquals(0x4269a790L, one(c, "SELECT time_date_stamp FROM modules"));
      assertNull(text(c, "SELECT load_ts FROM modules"));
      assertEquals(Integer.toString(Store.SCHEMA_VERSION), text(c, "SELECT value FROM meta WHERE key = 'schema_version'"));
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "only the database remains, no temp files");
    }
  }

  private static void load(Store store, String table, org.apache.arrow.vector.VectorSchemaRoot b, BufferAllocator a) {
    try {
      store.load(table, b, a);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void abortLeavesNothingAndExistingTargetIsKept() throws Exception {
    Path db = dir.resolve("x.duckdb");
    Files.writeString(db, "not a database");
    assertThrows(InputException.class, () -> Store.create(db, false));
    try (Store s = Store.create(db, true)) {
      s.abort();
    }
    assertEquals("not a database", Files.readString(db));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
    InputException e = assertThrows(InputException.class, () -> Store.open(db, true));
    assertTrue(e.getMessage().contains("x.duckdb"), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }

  @Test
  void otherSchemaVersionIsRefusedClearly() throws Exception {
    Path db = dir.resolve("old.duckdb");
    try (Store s = Store.create(db, false)) {
      try (Statement st = s.connection().createStatement()) {
        st.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'");
      }
      s.commit();
    }
    InputException e = assertThrows(InputException.class, () -> Store.open(db, true));
    assertTrue(e.getMessage().contains("schema version 0"), e.getMessage());
  }

  @Test
  void aVersion2DatabaseIsRefusedWithWhatToDo() throws Exception {
    // version 2 stored names as text in the blocks and branches tables; this iptq reads views
    // over place ids, so an older file must be ingested again rather than half-read
    Path db = dir.resolve("v2.duckdb");
    try (Store s = Store.create(db, false)) {
      try (Statement st = s.connection().createStatement()) {
        st.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
      }
      s.commit();
    }
    InputException e = assertThrows(InputException.class, () -> Store.open(db, true));
    assertTrue(e.getMessage().contains("v2.duckdb"), e.getMessage());
    assertTrue(e.getMessage().contains("schema version 2, this iptq reads version " + Store.SCHEMA_VERSION), e.getMessage());
    assertTrue(e.getMessage().contains("ingest the trace again"), e.getMessage());
  }
}
