package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Rows;
import iptq.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports answer on a real decode: syscall-paths groups the calls through the driver into a
 * few distinct paths (the sample's driver has a handful of services), counted against the
 * entries into it found independently in the branches; decode-health shows wrapped buffers'
 * cut-off as a column, not a problem, and its plausibility checks pass.
 */
class SampleReportsTest {
  @TempDir Path dir;

  private List<String[]> report(Path db, String name, String... params) throws Exception {
    Path csv = dir.resolve(name + ".csv");
    List<String> a = new ArrayList<>(List.of("report", name, db.toString(), "--format", "csv", "-o", csv.toString()));
    for (String p : params) a.addAll(List.of("-p", p));
    SampleSession.Run r = SampleSession.iptq(a.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    // the CSV quotes fields with commas (processes, traces); none of the checked ones has one
    return Files.readAllLines(csv).stream().map(l -> l.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1)).toList();
  }

  @Test
  void bundledSample() throws Exception {
    check(SampleSession.bundled());
  }

  @Test
  void generatedSession() throws Exception {
    check(SampleSession.generate(dir.resolve("session"), 99, 16));
  }

  private void check(SampleSession s) throws Exception {
    Path db = dir.resolve("s.duckdb");
    assertEquals(0, s.ingestAll(db).exit());
    List<String[]> paths = report(db, "syscall-paths");
    assertEquals(List.of("module", "path", "times", "returned", "steps", "avg_instructions", "segments", "processes",
        "traces", "first_time_utc", "last_time_utc", "example_segment"), List.of(paths.get(0)));
    long times = 0;
    List<String> distinct = new ArrayList<>();
    for (String[] row : paths.subList(1, paths.size())) {
      // the default: each driver but the kernel (ntstub.sys stands in for ntoskrnl.exe)
      assertEquals("sampdrv.sys", row[0]);
      distinct.add(row[1]);
      assertEquals(row[1].split(" > ").length, Integer.parseInt(row[4]), row[1]);
      assertFalse(row[1].contains("KeAcquireSpinLock") || row[1].contains("RtlComputeCrc32"),
          "the driver's own functions only: " + row[1]);
      if (Long.parseLong(row[3]) > 0) {
        assertTrue(row[1].startsWith("SampKiSystemCall64 > SampSystemService") && row[1].endsWith("SampKiSystemCall64"),
            "a returned system call enters and leaves through the handler: " + row[1]);
      }
      assertTrue(row[9].compareTo(row[10]) <= 0);
      times += Long.parseLong(row[2]);
    }
    assertEquals(distinct.stream().distinct().count(), distinct.size(), "equal paths group");
    assertTrue(distinct.size() <= 12, distinct.size() + " paths");
    try (Connection c = Store.open(db, true)) {
      // Every system call entry into the driver the trace shows: a SYSCALL from user code
      // (user+kernel trace), or tracing enabled right at the handler (kernel-only traces).
      long entries = Long.parseLong(Rows.of(c, """
          SELECT (SELECT count(*) FROM branches WHERE kind = 'far' AND to_module = 'sampdrv.sys'
                    AND from_ip < '0x8000000000000000'::UBIGINT AND to_function = 'SampKiSystemCall64')
               + (SELECT count(*) FROM (
                    SELECT f.segment_id, f.seq, arg_min(b.module, b.seq) AS module, arg_min(b.function_offset, b.seq) AS off
                    FROM flow_events f JOIN blocks b ON b.segment_id = f.segment_id AND b.seq > f.seq
                    WHERE f.kind = 'enabled' GROUP BY ALL)
                  WHERE module = 'sampdrv.sys' AND off = 0)""").get(0));
      assertEquals(entries, times, "one path per entry into the driver");
      assertTrue(times > 24);
    }

    List<String[]> health = report(db, "decode-health");
    List<String> head = List.of(health.get(0));
    int cut = head.indexOf("cut_off_bytes"), skipped = head.indexOf("skipped_bytes"),
        ends = head.indexOf("ends_as_expected"), trigger = head.indexOf("trigger"), status = head.indexOf("decode_status");
    long wrappedWithCutOff = 0;
    try (Connection c = Store.open(db, true)) {
      for (String[] row : health.subList(1, health.size())) {
        assertEquals("ok", row[status]);
        assertEquals("0", row[skipped], "no bytes skipped after an error");
        if (!row[cut].equals("0")) wrappedWithCutOff++;
        // by the names: a system call's buffer ends in the handler; the sample has no
        // context-swap code, so a CSwitch end cannot be judged
        assertEquals(row[trigger].equals("SystemCallExit") ? "true" : "", row[ends], String.join(",", row));
      }
      assertEquals(Rows.of(c, "SELECT count(*) FROM segments WHERE wrapped AND cut_off_bytes > 0").get(0),
          Long.toString(wrappedWithCutOff));
    }
    assertTrue(wrappedWithCutOff > 0);
    assertEquals(1, report(db, "decode-health", "problems_only=true").size(), "healthy wrapped buffers are no problem");
  }
}
