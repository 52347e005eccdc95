package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.KnownTrace;
import iptq.store.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iptq report} from the command line: listing, parameters, formats, errors. */
class ReportCommandTest {
  @TempDir Path dir;
  static String db;

  @BeforeAll
  static void build() throws Exception {
    db = KnownTrace.shared().toString();
  }

  @Test
  void listShowsEveryReportWithItsParameters() {
    Cli t = Cli.run("report", "--list");
    assertEquals(0, t.exit());
    for (String name : Report.names()) assertTrue(t.out().contains(name + " — "), name);
    assertTrue(t.out().contains("--param trigger=SystemCallExit  the triggering event"), t.out());
    assertTrue(t.out().contains("--param tid=(required)"), t.out());
  }

  @Test
  void functionsBeforeAsCsv() {
    Cli t = Cli.run("report", "functions-before", db, "--param", "last=1", "--format", "csv");
    assertEquals(0, t.exit(), t.err());
    assertEquals("""
        segment_id,event_ts,process,pid,tid,back,function,module,insns,first_seq,last_seq
        1,1000,notepad.exe,1234,5678,1,KiSystemCall64,ntoskrnl.exe,7,19,19
        2,2000,notepad.exe,1234,5678,1,KiSystemCall64,ntoskrnl.exe,7,19,19
        4,4000,notepad.exe,1234,5678,1,KeBugCheckEx,ntoskrnl.exe,10,11,13
        5,5000,explorer.exe,800,900,1,KiSystemCall64,ntoskrnl.exe,7,15,15
        """, t.out());
  }

  @Test
  void jsonToAFileAndParquetReadBackByDuckDb() throws Exception {
    Path json = dir.resolve("out/cov.json");
    Cli j = Cli.run("report", "module-coverage", db, "-f", "json", "-o", json.toString());
    assertEquals(0, j.exit(), j.err());
    assertTrue(Files.readString(json).startsWith("[\n\t{\"module\":\"ntoskrnl.exe\",\"distinct_blocks\":16,"),
        Files.readString(json));
    Path pq = dir.resolve("paths.parquet");
    Cli p = Cli.run("report", "syscall-paths", db, "-f", "parquet", "-o", pq.toString(), "-p", "kernel_only=false");
    assertEquals(0, p.exit(), p.err());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), max(segments), min(steps) FROM '" + pq + "'")) {
      rs.next();
      assertEquals("3 2 5", rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3));
    }
  }

  @Test
  void unknownReportListsTheKnownOnes() {
    Cli t = Cli.run("report", "hot-funcs", db);
    assertEquals(1, t.exit());
    assertTrue(t.err().contains("no report called 'hot-funcs'; the reports are: functions-before, hot-functions"), t.err());
  }

  @Test
  void parameterErrors() {
    Cli missing = Cli.run("report", "segment-diff", db, "-p", "a=1");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("needs --param b=..."), missing.err());
    Cli unknown = Cli.run("report", "timeline", db, "-p", "tid=5678", "-p", "thread=1");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("has no parameter 'thread'"), unknown.err());
    Cli bad = Cli.run("report", "functions-before", db, "-p", "last=ten");
    assertEquals(1, bad.exit());
    assertEquals("iptq: report functions-before: --param last=ten: expected a whole number\n", bad.err());
  }

  @Test
  void parameterValuesAreDataNotSql() {
    // a value that would break out of a concatenated string literal is just a trigger name
    Cli t = Cli.run("report", "functions-before", db, "-p", "trigger=x' OR '1'='1", "-f", "csv");
    assertEquals(0, t.exit(), t.err());
    assertEquals("segment_id,event_ts,process,pid,tid,back,function,module,insns,first_seq,last_seq\n", t.out());
  }
}
