package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.etl.EtlWriter;
import iptq.etl.EventData;
import iptq.etl.IptOption;
import iptq.etl.IptSegment;
import iptq.etl.KernelNames;
import iptq.etl.KernelPayloads;
import iptq.store.Store;
import iptq.table.EventsTable;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import iptq.table.SegmentsTable;
import iptq.table.ThreadsTable;
import iptq.table.TracesTable;
import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ETL records → table rows → a real DuckDB database, checked with SQL. */
class EtlTablesTest {
  @TempDir Path dir;

  private static String one(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  private interface Body {
    void run(EventsTable ev, ProcessesTable pr, ThreadsTable th, ModulesTable mo, SegmentsTable se,
        TracesTable tr) throws Exception;
  }

  private static Path load(Path dir, String name, Body body) throws Exception {
    Path db = dir.resolve(name);
    try (BufferAllocator alloc = new RootAllocator(); Store store = Store.create(db, false)) {
      iptq.table.BatchSink sink = (t, b, a) -> {
        try {
          store.load(t, b, a);
        } catch (Exception x) {
          throw new RuntimeException(x);
        }
      };
      try (EventsTable ev = new EventsTable(alloc, sink); ProcessesTable pr = new ProcessesTable(alloc, sink);
          ThreadsTable th = new ThreadsTable(alloc, sink); ModulesTable mo = new ModulesTable(alloc, sink);
          SegmentsTable se = new SegmentsTable(alloc, sink); TracesTable tr = new TracesTable(alloc, sink)) {
        body.run(ev, pr, th, mo, se, tr);
      }
      store.commit();
    }
    return db;
  }

  @Test
  void writtenTraceFillsTheWindowsTables() throws Exception {
    Path etl = dir.resolve("t.etl");
    long t0 = EtlWriter.Config.defaults().headerTs();
    IptOption opt = IptOption.of(0, 0, 0, 0, 0, 0, false, 1);
    byte[] trace = new byte[64];
    for (int i = 0; i < 16; i++) trace[i] = (byte) ((i & 1) == 0 ? 2 : 0x82);
    try (EtlWriter w = new EtlWriter(etl, EtlWriter.Config.defaults().withCpus(2))) {
      w.system(0, 0x0303, 4, 0, 0, t0 + 10, KernelPayloads.process(8, new EventData.Process(0xffffc001L, 500, 4, 1,
          0, 0x1ab000L, 0, "S-1-5-18", "svc.exe", "svc.exe -k", "", "")));
      w.system(0, 0x0301, 4, 8, 500, t0 + 20, KernelPayloads.process(8, new EventData.Process(0xffffc002L, 600, 500, 1,
          0, 0x2ab000L, 0, null, "child.exe", "child.exe /x", "", "")));
      w.system(0, 0x0501, 3, 8, 600, t0 + 21, KernelPayloads.thread(8, new EventData.Thread(600, 601, 0, 0, 0, 0, 0,
          0x7ff600001000L, 0, 0, false)));
      w.perfInfo(0, 0x1403, 3, t0 + 22, KernelPayloads.image(8, new EventData.Image(0xfffff80242400000L, 0xab6000, 0,
          0x980591, 0x4269a790, 0, "\\SystemRoot\\system32\\ntoskrnl.exe")));
      w.classic(0, KernelNames.IMAGE_ID, 36, 4, 2, 0, 0, t0 + 22, KernelPayloads.dbgIdRsds(8, new EventData.DbgIdRsds(
          0xfffff80242400000L, 0, UUID.fromString("f535c5fb-2ae8-4bb8-aa20-6c30be566c5a"), 1, "ntkrnlmp.pdb")));
      w.system(1, 0x140A, 3, 601, 600, t0 + 30, KernelPayloads.image(8, new EventData.Image(0x7ff600000000L, 0x20000, 600,
          1, 2, 0x140000000L, "\\Device\\HarddiskVolume3\\child.exe")));
      w.compact(1, 0x0524, 2, 601, 600, t0 + 40, KernelPayloads.cswitch(new EventData.CSwitch(601, 0, 8, 0, 0, 0, 0, 0, 0, 0)));
      w.perfInfo(1, 0x0F34, 2, t0 + 50, KernelPayloads.systemCallExit(0));
      w.system(1, KernelPayloads.SAMPLE_IPT_HOOK, 2, 601, 600, t0 + 50, KernelPayloads.ipt(t0 + 50, 600, 601, opt, 64, trace));
      w.system(1, 0x1402, 3, 601, 600, t0 + 60, KernelPayloads.image(8, new EventData.Image(0x7ff600000000L, 0x20000, 600,
          1, 2, 0x140000000L, "\\Device\\HarddiskVolume3\\child.exe")));
      w.system(0, 0x0302, 4, 8, 600, t0 + 70, KernelPayloads.process(8, new EventData.Process(0xffffc002L, 600, 500, 1,
          0x55, 0x2ab000L, 0, null, "child.exe", "child.exe /x", "", "")));
    }
    List<IptSegment> segs = new ArrayList<>();
    Path db = load(dir, "t.duckdb", (ev, pr, th, mo, se, tr) -> {
      EtlTables tables = new EtlTables(1, 0, 0, ev, pr::add, th, mo::add);
      EtlSource.Result r = EtlSource.read(etl, -1, tables, segs::add);
      tr.add(EtlTables.trace(1, etl, Files.size(etl), r.header()));
      assertEquals(1, r.segments());
      for (IptSegment s : segs) se.add(EtlTables.segmentRow(s, 1, 1, 0, 0, 0, 0, 0, 0, "packets-only"));
    });
    try (Connection c = Store.open(db, true)) {
      assertEquals("12", one(c, "SELECT count(*) FROM events"));
      assertEquals("svc.exe|null|null", one(c, "SELECT name || '|' || coalesce(CAST(start_ts AS VARCHAR), 'null') || '|' "
          + "|| coalesce(CAST(end_ts AS VARCHAR), 'null') FROM processes WHERE pid = 500"));
      assertEquals("child.exe /x|2000|7000|85", one(c, "SELECT command_line || '|' || start_ts || '|' || end_ts || '|' "
          + "|| exit_status FROM processes WHERE pid = 600"));
      assertEquals("600|2100|" + 0x7ff600001000L, one(c, "SELECT pid || '|' || start_ts || '|' || win32_start_address FROM threads"));
      assertEquals("ntoskrnl.exe|f535c5fb-2ae8-4bb8-aa20-6c30be566c5a|1|ntkrnlmp.pdb|true|0",
          one(c, "SELECT name || '|' || pdb_guid || '|' || pdb_age || '|' || pdb_name || '|' || kernel || '|' || pid "
              + "FROM modules WHERE name = 'ntoskrnl.exe'"));
      assertEquals("3000|6000", one(c, "SELECT load_ts || '|' || unload_ts FROM modules WHERE name = 'child.exe'"));
      assertEquals("SystemCallExit|SystemCallExit|perfinfo|600|601|64|false",
          one(c, "SELECT s.trigger || '|' || e.name || '|' || e.header_kind || '|' || s.pid || '|' || s.tid || '|' "
              + "|| s.size_bytes || '|' || s.wrapped FROM segments s JOIN events e ON e.event_id = s.trigger_event_id"));
      assertEquals("1", one(c, "SELECT code_mode FROM segments"));
      assertEquals("0x1ab000", one(c, "SELECT json_extract_string(fields, '$.DirectoryTableBase') FROM events "
          + "WHERE name = 'ProcessDCStart'"));
      assertEquals("601", one(c, "SELECT json_extract(fields, '$.NewThreadId') FROM events WHERE name = 'CSwitch'"));
      assertEquals("ProcessorTrace|IntelProcessorTrace", one(c, "SELECT name || '|' || provider FROM events WHERE hook_id = "
          + KernelPayloads.SAMPLE_IPT_HOOK));
      assertEquals("etl|qpc|10000000|iptq sample", one(c, "SELECT kind || '|' || clock || '|' || clock_frequency || '|' "
          + "|| logger_name FROM traces"));
    }
  }

  @Test
  void realFixtureLoadsIntoDuckDb() throws Exception {
    Path etl = Fixtures.path("etl/ShutdownPerfDiagLogger.etl");
    Path db = load(dir, "s.duckdb", (ev, pr, th, mo, se, tr) -> {
      EtlTables tables = new EtlTables(1, 0, 0, ev, pr::add, th, mo::add);
      EtlSource.Result r = EtlSource.read(etl, -1, tables, s -> { });
      tr.add(EtlTables.trace(1, etl, Files.size(etl), r.header()));
      assertEquals(0, r.segments());
    });
    try (Connection c = Store.open(db, true)) {
      assertEquals("17078", one(c, "SELECT count(*) FROM events"));
      assertEquals("6549", one(c, "SELECT count(*) FROM events WHERE header_kind = 'perfinfo' AND hook_id = 5123"));
      assertEquals("Idle", one(c, "SELECT name FROM processes WHERE pid = 0"));
      assertEquals("0xab6000", one(c, "SELECT json_extract_string(fields, '$.ImageSize') FROM events "
          + "WHERE header_kind = 'system' AND name = 'ImageDCStart' AND fields LIKE '%ntoskrnl.exe%'"));
      assertTrue(Long.parseLong(one(c, "SELECT count(*) FROM modules")) > 100);
    }
  }
}
