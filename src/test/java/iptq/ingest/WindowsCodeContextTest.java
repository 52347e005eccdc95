package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import iptq.table.ModulesTable;
import iptq.table.TableWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Names follow the modules loaded when a segment was taken, as the code does. */
class WindowsCodeContextTest {
  static final long N = TableWriter.NULL;
  static final long BASE = 0x7ff800000000L, KERNEL = 0xfffff80000000000L;

  @Test
  void aModuleLoadedWhereAnotherWasUnloadedNamesTheSegmentsAfterIt() {
    List<ModulesTable.Module> rows = List.of(
        module(1, 0, KERNEL, "ntoskrnl.exe", N, N, true),
        module(2, 42, BASE, "first.dll", N, 1000, false),
        module(3, 42, BASE, "second.dll", 1000, N, false),
        module(4, 7, BASE, "other.dll", N, N, false));
    try (WindowsCodeContext code = new WindowsCodeContext(rows, List.of(), List.of(), List.of(), List.of(), List.of(), true)) {
      assertEquals("first.dll+0x10", code.symbolsFor(segment(42, 500)).describe(BASE + 0x10));
      assertEquals("second.dll+0x10", code.symbolsFor(segment(42, 1500)).describe(BASE + 0x10));
      assertEquals("other.dll+0x10", code.symbolsFor(segment(7, 1500)).describe(BASE + 0x10));
      assertEquals("ntoskrnl.exe+0x20", code.symbolsFor(segment(42, 1500)).describe(KERNEL + 0x20));
      assertNull(code.symbolsFor(segment(9, 1500)).describe(BASE + 0x10), "a process without modules there");
      // Segments that see the same modules share one map (and with it the namer's cache).
      assertSame(code.symbolsFor(segment(42, 1200)), code.symbolsFor(segment(42, 1500)));
    }
  }

  private static ModulesTable.Module module(long id, int pid, long base, String name, long load, long unload, boolean kernel) {
    return new ModulesTable.Module(id, 1, pid, base, 0x1000, "C:\\x\\" + name, name, N, N, null, N, null, load, unload,
        kernel, null, null);
  }

  private static SegmentInput segment(long pid, long ts) {
    return new SegmentInput(1, 1, null, 0, 0, ts, N, pid, N, null, N, false, 0, N, N, false, 0, null);
  }
}
