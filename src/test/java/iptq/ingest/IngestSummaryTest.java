package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.sample.Truth;
import iptq.store.Rows;
import iptq.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing silent: an ingest that lacks code or names says, per module the trace ran, what is
 * missing and what would give it; a dump that matches nothing is named with the reason; and the
 * addresses of decode problems carry their names.
 */
class IngestSummaryTest {
  @TempDir Path dir;

  private static List<String> lines(String err, String prefix) {
    return err.lines().filter(l -> l.startsWith(prefix)).toList();
  }

  @Test
  void anEtlAloneSaysWhatCodeAndNamesItNeeds() throws Exception {
    SampleSession s = SampleSession.bundled();
    Path db = dir.resolve("nocode.duckdb");
    SampleSession.Run r = SampleSession.iptq("ingest", s.etl("kernel-syscall").toString(), "-o", db.toString());
    assertEquals(0, r.exit(), r.err());
    try (Connection c = Store.open(db, true)) {
      assertEquals(List.of("no-code-given | 8"),
          Rows.of(c, "SELECT decode_status, count(*) FROM segments GROUP BY ALL"));
      // The kernel-only trace's IP packets all lie in the driver (its calls into ntstub.sys are
      // direct: no packet names them).
      String base = Rows.of(c, "SELECT printf('0x%x', base) FROM modules WHERE name = 'sampdrv.sys'").get(0);
      String id = Rows.of(c, "SELECT printf('TimeDateStamp 0x%08X, SizeOfImage 0x%x', time_date_stamp, size)"
          + " || ' | ' || upper(pdb_guid::VARCHAR) FROM modules WHERE name = 'sampdrv.sys'").get(0);
      String tds = id.split(" \\| ")[0], guid = id.split(" \\| ")[1];
      assertTrue(r.err().contains("iptq: 8 segment(s) decoded: 8 no-code-given\n"), r.err());
      assertTrue(r.err().contains("iptq: no code was given (no --dump, --image-path or --image)"), r.err());
      assertEquals(List.of("iptq: no code for 1 module(s) the trace ran:",
          "iptq:   sampdrv.sys at " + base + ", 8 segment(s): give a kernel dump that covers it (--dump;"
              + " a live dump: livekd -ml, or Task Manager), its PE file sampdrv.sys (" + tds + ") on --image-path,"
              + " or a symbol server that has it (--symbols srv*C:\\symbols*https://msdl.microsoft.com/download/symbols,"
              + " or _NT_SYMBOL_PATH)"),
          lines(r.err(), "iptq: no code for").isEmpty() ? List.of() : r.err().lines()
              .dropWhile(l -> !l.startsWith("iptq: no code for")).limit(2).toList());
      assertEquals(List.of("iptq: no names for 1 module(s) the trace ran:",
          "iptq:   sampdrv.sys at " + base + ", 8 segment(s): give sampdrv.pdb (GUID " + guid + ", age 1) on --symbols"
              + " or _NT_SYMBOL_PATH, or a symbol server that has it (srv*CACHE*URL)"),
          r.err().lines().dropWhile(l -> !l.startsWith("iptq: no names for")).limit(2).toList());
      // each fact once: the summary says which PDB the driver needs, so no warning says it again
      assertEquals(List.of(), lines(r.err(), "iptq: warning: "), r.err());
    }
  }

  @Test
  void withEveryDumpNothingIsMissing() throws Exception {
    SampleSession.Run r = SampleSession.bundled().ingestAll(dir.resolve("all.duckdb"));
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("iptq: 24 segment(s) decoded: 24 ok"), lines(r.err(), "iptq: "), r.err());
  }

  @Test
  void userCodeAloneLeavesTheKernelMissingAndNamesItsAddresses() throws Exception {
    // The process dump gives sampapp.exe and samplib.dll, but the trace ran only kernel code:
    // every segment runs into the driver, whose code nothing gave. --symbols still names it.
    SampleSession s = SampleSession.bundled();
    Path db = dir.resolve("user.duckdb");
    SampleSession.Run r = SampleSession.iptq("ingest", s.etl("kernel-syscall").toString(),
        "--dump", s.dump("kernel-syscall").toString(), "--symbols", s.bin().toString(), "-o", db.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("iptq: 8 segment(s) decoded: 8 code-missing\n"), r.err());
    assertTrue(r.err().contains("iptq:   sampdrv.sys at 0x"), r.err());
    assertFalse(r.err().contains("no names for"), r.err());
    assertFalse(r.err().contains("no code was given"), r.err());
    try (Connection c = Store.open(db, true)) {
      List<String> named = Rows.of(c, """
          SELECT count(*), count(*) FILTER (WHERE e.ip_name = m.name || '!' || y.name
                   || CASE WHEN e.ip = m.base + y.rva THEN '' ELSE printf('+0x%x', e.ip - m.base - y.rva) END
                 AND e.message LIKE '%(' || e.ip_name || ')%')
          FROM decode_errors e
          JOIN modules m ON m.name = 'sampdrv.sys' AND e.ip BETWEEN m.base AND m.base + m.size - 1
          JOIN symbols y ON y.module_id = m.module_id AND e.ip - m.base >= y.rva AND e.ip - m.base < y.rva + y.size
          WHERE e.kind = 'no-code'""");
      String[] n = named.get(0).split(" \\| ");
      assertTrue(Long.parseLong(n[0]) >= 8, named.toString());
      assertEquals(n[0], n[1], "every no-code error names its address as module!function+0xoff");
      assertEquals(List.of("0"), Rows.of(c, "SELECT count(*) FROM decode_errors WHERE ip IS NOT NULL AND ip_name IS NULL"));
    }
  }

  @Test
  void aDumpOfAnotherRecordingIsNamedWithTheReason() throws Exception {
    SampleSession s = SampleSession.bundled();
    long otherPid = Truth.read(s.truth()).segments().stream()
        .filter(x -> x.file().equals("kernel-cswitch.etl")).findFirst().orElseThrow().pid();
    Path other = s.dump("kernel-cswitch");
    SampleSession.Run r = SampleSession.iptq("ingest", s.etl("kernel-syscall").toString(),
        "--dump", s.kernelDump().toString(), "--dump", other.toString(), "--symbols", s.bin().toString(),
        "-o", dir.resolve("d.duckdb").toString());
    assertEquals(0, r.exit(), r.err());
    List<String> warned = lines(r.err(), "iptq: warning: ").stream().filter(l -> l.contains(".dmp")).toList();
    assertEquals(List.of("iptq: warning: " + other + ": matches nothing in the traces, so no code came from it:"
        + " its process " + otherPid + " is in none of the traces"), warned.stream()
        .map(l -> l.replaceAll(", taken .*", "")).toList(), r.err());
    // the kernel dump gave the kernel's code and --symbols the names: no line for either
    assertEquals(List.of("iptq: 8 segment(s) decoded: 8 ok"),
        lines(r.err(), "iptq: ").stream().filter(l -> !l.startsWith("iptq: warning")).toList(), r.err());
  }
}
