package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The real files written by Windows parse completely, with the counts the fixtures README gives. */
class EtlFixturesTest {
  @Test
  void shutdownPerfDiagLoggerCountsPerHeaderKindAndHookIdMatchTheReadme() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    expected.put("perfinfo 0x1403", 6549L);
    expected.put("system 0x1402", 4791L);
    expected.put("perfinfo 0x1404", 1952L);
    expected.put("system 0x0503", 1175L);
    expected.put("system 0x0502", 1032L);
    expected.put("system 0x0504", 501L);
    expected.put("system 0x0501", 350L);
    expected.put("system 0x1403", 196L);
    expected.put("system 0x1404", 193L);
    expected.put("perfinfo 0x0303", 94L);
    expected.put("system 0x030A", 72L);
    expected.put("system 0x030B", 60L);
    expected.put("system 0x0302", 60L);
    expected.put("perfinfo 0x0304", 37L);
    expected.put("perfinfo 0x0327", 5L);
    expected.put("perfinfo 0x0020", 2L);
    expected.put("perfinfo 0x0005", 2L);
    expected.put("perfinfo 0x0008", 2L);
    expected.put("system 0x0000", 1L);
    expected.put("system 0x0005", 1L);
    expected.put("system 0x0050", 1L);
    expected.put("perfinfo 0x1421", 1L);
    expected.put("perfinfo 0x1422", 1L);

    List<EtlEvent> all = new ArrayList<>();
    EtlStats stats;
    try (EtlFile f = EtlFile.open(Fixtures.path("etl/ShutdownPerfDiagLogger.etl"))) {
      assertEquals(49, f.buffers().size());
      BufferHeader first = f.buffers().get(0);
      assertEquals(BufferHeader.TYPE_HEADER, first.bufferType());
      assertEquals(0x21, first.bufferFlag());
      assertEquals(65536, first.bufferSize());
      while (f.hasMoreEvents()) all.add(f.readEvent());
      stats = f.stats();
    }
    assertEquals(expected, stats.countsByKindAndHook());
    assertEquals(0, stats.badRecords() + stats.unknownRecords() + stats.corruptBuffers()
        + stats.trailingBytes() + stats.undecodablePayloads());
    assertEquals(49, stats.buffers());

    // Time order after the per-processor merge, and event ids in that order.
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i).ts() >= all.get(i - 1).ts(), "time order at " + i);
      assertEquals(i + 1, all.get(i).ordinal());
    }

    EventData.Image nt = image(all, "SYSTEM", 0x1403, "\\SystemRoot\\system32\\ntoskrnl.exe");
    assertEquals(0xfffff802424ab000L, nt.imageBase());
    assertEquals(0xab6000L, nt.imageSize());
    assertEquals(0, nt.pid());
    assertEquals(0x980591, nt.checksum());
    assertEquals(0x4269a790, nt.timeDateStamp());
    assertEquals("ntoskrnl.exe", nt.name());

    EventData.Image ntdll = image(all, "PERFINFO", 0x1403,
        "\\Device\\HarddiskVolume3\\Windows\\SysWOW64\\ntdll.dll");
    assertEquals(0x77620000L, ntdll.imageBase());
    assertEquals(0x19a000L, ntdll.imageSize());
    assertEquals(4, ntdll.pid());

    EventData.Image tray = all.stream().filter(e -> e.hookId() == 0x1402)
        .map(e -> (EventData.Image) e.data()).filter(d -> d.name().equals("SecurityHealthSystray.exe"))
        .findFirst().orElseThrow();
    assertEquals(0x7ff620f80000L, tray.imageBase());
    assertEquals(0x18000L, tray.imageSize());
    assertEquals(6780, tray.pid());

    EtlEvent firstProcess = all.stream().filter(e -> e.hookId() == 0x0303).findFirst().orElseThrow();
    EventData.Process idle = (EventData.Process) firstProcess.data();
    assertEquals(0, idle.pid());
    assertEquals("Idle", idle.imageFileName());
    assertEquals("S-1-5-18", idle.userSid());
    assertEquals("ProcessDCStart", firstProcess.name());
    assertEquals(HeaderKind.PERFINFO, firstProcess.kind());
    assertEquals(-1, firstProcess.pid());

    // Every Process, Thread and Image event of the file decodes to its typed record.
    for (EtlEvent e : all) {
      int g = e.group();
      int t = e.hookId() & 0xFF;
      if (g == 0x03 && (t <= 4 || t == 39)) assertTrue(e.data() instanceof EventData.Process, e.toString());
      if (g == 0x05 && t <= 4) assertTrue(e.data() instanceof EventData.Thread);
      if (g == 0x14 && (t == 2 || t == 3 || t == 4 || t == 10)) assertTrue(e.data() instanceof EventData.Image);
    }
    // A process with a full user SID and command line (SYSTEM header, version 4).
    EventData.Process tp = all.stream().filter(e -> e.hookId() == 0x0302).map(e -> (EventData.Process) e.data())
        .filter(p -> p.imageFileName().equals("SecurityHealthSystray.exe")).findFirst().orElseThrow();
    assertEquals(6780, tp.pid());
    assertEquals("S-1-5-21-4151223144-1238771585-1724997581-1000", tp.userSid());
    assertEquals("\"C:\\Windows\\System32\\SecurityHealthSystray.exe\" ", tp.commandLine());
    assertEquals(1, tp.sessionId());
    EtlEvent kb = all.stream().filter(e -> e.hookId() == 0x1421).findFirst().orElseThrow();
    assertEquals("KernelBase", kb.name());
    assertEquals(nt.imageBase(), ((EventData.Address) kb.data()).address());
  }

  private static EventData.Image image(List<EtlEvent> all, String kind, int hook, String file) {
    return all.stream().filter(e -> e.kind().name().equals(kind) && e.hookId() == hook)
        .map(e -> (EventData.Image) e.data()).filter(d -> d.fileName().equals(file)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " image event for " + file));
  }

  @Test
  void lxcoreKernelLogfileHeaderMatches() throws Exception {
    try (EtlFile f = EtlFile.open(Fixtures.path("etl/lxcore_kernel.etl"))) {
      LogfileHeader h = f.header();
      assertEquals(8192, h.bufferSize());
      assertEquals("10.0", h.osVersion());
      assertEquals(19041, h.providerVersion());
      assertEquals(6, h.numberOfProcessors());
      assertEquals(156250, h.timerResolution());
      assertEquals(8, h.pointerSize());
      assertEquals(3000, h.cpuSpeedMHz());
      assertEquals(10_000_000L, h.perfFreq());
      assertEquals("lxcore_kernel", h.loggerName());
      assertEquals("C:\\Prog\\lxcore_kernel.etl", h.logFileName());
      assertEquals("qpc", h.clockName());
      assertEquals(3, f.buffers().size());
      List<EtlEvent> all = new ArrayList<>();
      while (f.hasMoreEvents()) all.add(f.readEvent());
      assertEquals(4, all.size());
      assertEquals(0x0000, all.get(0).hookId());
      assertEquals(0x0050, all.get(1).hookId());
      UUID lx = UUID.fromString("0cd1c309-0878-4515-83db-749843b3f5c9");
      for (EtlEvent e : all.subList(2, 4)) {
        assertEquals(HeaderKind.EVENT, e.kind());
        assertEquals(0x13, e.headerType());
        assertEquals(lx, e.provider());
        assertEquals("Microsoft.Windows.Subsystem.LxCore", e.providerName());
        assertEquals(2, e.extended().size());
        assertEquals(ExtendedItem.PROV_TRAITS, e.extended().get(0).extType());
        assertEquals(ExtendedItem.EVENT_SCHEMA_TL, e.extended().get(1).extType());
      }
      // ts = (raw - header raw) * 1e9 / PerfFreq; wall clock = StartTime + ts.
      EtlEvent e = all.get(2);
      assertEquals((e.rawTs() - h.headerTimestamp()) * 100, e.ts());
      assertEquals(LogfileHeader.fileTimeToInstant(h.startTime()).plusNanos(e.ts()), h.toInstant(e.rawTs()));
      assertEquals(0, f.stats().badRecords() + f.stats().unknownRecords() + f.stats().corruptBuffers());
    }
  }
}
