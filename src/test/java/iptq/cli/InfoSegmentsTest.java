package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Rows;
import iptq.store.Store;
import iptq.testing.Fixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iptq info TRACE.etl} lists the trace's IPT segments numbered as {@code --segment N} takes
 * them: row N is the segment a one-trace ingest stores as segment_id N (trigger, pid, tid, cpu,
 * ts, time_utc, bytes, wrapped), and {@code SegmentListingTest} proves that {@code --segment N}
 * lists segment_id N.
 */
class InfoSegmentsTest {
  static final Path DATA = Fixtures.projectDir().resolve("sample/data");

  @TempDir Path dir;

  /** The rows as the CSV listing writes them: comma-separated, NULL as empty. */
  private static List<String> rows(Path db, String sql) throws Exception {
    try (Connection c = Store.open(db, true)) {
      return Rows.of(c, sql).stream().map(r -> String.join(",", r.split(" \\| ", -1)).replace("NULL", "")).toList();
    }
  }

  @Test
  void csvRowsAreIngestsSegments() throws Exception {
    for (String rec : List.of("kernel-syscall", "userkernel-both", "kernel-cswitch")) {
      String etl = DATA.resolve(rec + ".etl").toString();
      Path db = dir.resolve(rec + ".duckdb");
      assertEquals(0, SegmentListingTest.iptq("ingest", etl, "-o", db.toString()).exit());
      SegmentListingTest.Out o = SegmentListingTest.iptq("info", etl, "--list-segments", "--format", "csv");
      assertEquals(0, o.exit(), o.err());
      List<String> lines = new ArrayList<>(List.of(o.out().split("\n")));
      assertEquals(SegmentTable.CSV_HEADER, lines.remove(0));
      // time_utc compared as ns since the epoch: the listing writes it as Instant prints it (ISO, Z)
      List<String> want = rows(db, "SELECT segment_id, \"trigger\", pid, tid, cpu,"
          + " epoch_ns(time_utc), ts, size_bytes, wrapped FROM segments ORDER BY segment_id");
      List<String> got = new ArrayList<>();
      for (String l : lines) {
        String[] f = l.split(",", -1);
        java.time.Instant t = java.time.Instant.parse(f[5]);
        f[5] = Long.toString(t.getEpochSecond() * 1_000_000_000L + t.getNano());
        got.add(String.join(",", f));
      }
      assertEquals(want, got, rec);
      assertTrue(want.size() >= 3, rec);
    }
  }

  @Test
  void theDescriptionListsThemAndAPdbHasNone() {
    String etl = DATA.resolve("kernel-syscall.etl").toString();
    SegmentListingTest.Out o = SegmentListingTest.iptq("info", etl);
    assertEquals(0, o.exit(), o.err());
    String s = o.out();
    int at = s.indexOf("Segments (N as insns and packets take it: --segment N):");
    assertTrue(at > 0, s);
    List<String> table = List.of(s.substring(at).split("\n"));
    assertTrue(table.get(1).trim().startsWith("segment  trigger"), table.get(1));
    for (int n = 1; n <= 8; n++) {
      assertTrue(table.get(n + 1).matches("\\s+" + n + "\\s+SystemCallExit\\s+648\\s+\\d+\\s+\\d+\\s+2024-11-14T.*"), table.get(n + 1));
    }
    assertEquals(10, table.size(), s);

    SegmentListingTest.Out t = SegmentListingTest.iptq("info", etl, "--list-segments");
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().endsWith("(8 segment(s))\n"), t.out());

    Cli pdb = Cli.run("info", Fixtures.projectDir().resolve("sample/bin/sampdrv.pdb").toString(), "--list-segments");
    assertEquals(1, pdb.exit());
    assertTrue(pdb.err().contains("--list-segments lists the IPT segments of an .etl or ipt.sys trace"), pdb.err());
    Cli fmt = Cli.run("info", etl, "--format", "csv");
    assertEquals(2, fmt.exit());
    assertTrue(fmt.err().contains("--format goes with --list-segments or --list-symbols"), fmt.err());
  }
}
