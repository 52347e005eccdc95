package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The views of schema/90-views.sql, and the derived function_runs, over the known decode. */
class ViewsTest {
  @TempDir static Path dir;
  static Connection conn;

  @BeforeAll
  static void build() throws Exception {
    conn = Store.open(KnownTrace.build(dir), true);
  }

  @AfterAll
  static void close() throws Exception {
    conn.close();
  }

  @Test
  void functionRunsCollapseConsecutiveBlocksOfOneFunction() throws Exception {
    // (derived from blocks by KnownTrace.deriveFunctionRuns; ingest writes it from the flow sink)
    assertEquals(Rows.lines("""
        4 | 1 | 5 | 1 | 1 | 1234 | 5678 | NtClose | ntdll.dll | 140711718554112 | 3930 | 3930 | 3 | 1 | 2026-11-02 09:30:00.00000393
        4 | 2 | 4 | 3 | 5 | 1234 | 5678 | KiSystemCall64 | ntoskrnl.exe | 18446735277616533504 | 3940 | 3950 | 26 | 2 | 2026-11-02 09:30:00.00000394
        4 | 3 | 3 | 7 | 7 | 1234 | 5678 | NtClose | ntoskrnl.exe | 18446735277616545792 | 3960 | 3960 | 5 | 1 | 2026-11-02 09:30:00.00000396
        4 | 4 | 2 | 9 | 9 | 1234 | 5678 | ObpCloseHandle | ntoskrnl.exe | 18446735277616546304 | 3970 | 3970 | 11 | 1 | 2026-11-02 09:30:00.00000397
        4 | 5 | 1 | 11 | 13 | 1234 | 5678 | KeBugCheckEx | ntoskrnl.exe | 18446735277616549904 | 3980 | 3990 | 10 | 2 | 2026-11-02 09:30:00.00000398
        """), Rows.of(conn, "SELECT * FROM function_runs WHERE segment_id = 4 ORDER BY run"));
    // every block is in exactly one run
    assertEquals(List.of("38 | 333"), Rows.of(conn, "SELECT count(*), sum(insns) FROM blocks"));
    assertEquals(List.of("38 | 333"), Rows.of(conn, "SELECT sum(blocks), sum(insns) FROM function_runs"));
  }

  @Test
  void callsPairEachCallWithItsReturn() throws Exception {
    assertEquals(Rows.lines("""
        1 | 1234 | 5678 | 0 | 2 | NULL | 905 | NULL | call | NULL | 140698833654306 | 140711718554016 | notepad.exe | ReadDocument | ntdll.dll | NtReadFile
        1 | 1234 | 5678 | 1 | 8 | 18 | 935 | 985 | call.ind | ret | 18446735277616533654 | 18446735277616537600 | ntoskrnl.exe | KiSystemCall64 | ntoskrnl.exe | NtReadFile
        1 | 1234 | 5678 | 2 | 10 | 12 | 945 | 955 | call | ret.compressed | 18446735277616537646 | 18446735277616541696 | ntoskrnl.exe | NtReadFile | ntoskrnl.exe | ObReferenceObjectByHandle
        1 | 1234 | 5678 | 2 | 14 | 16 | 965 | 975 | call | ret.compressed | 18446735277616537678 | 18446735277616542720 | ntoskrnl.exe | NtReadFile | ntoskrnl.exe | IopSynchronousServiceTail
        """), Rows.of(conn, "SELECT * FROM calls WHERE segment_id = 1 ORDER BY call_seq"));
  }

  @Test
  void callsDepthCountsFromTheLowestFrameSeen() throws Exception {
    // a segment that starts inside a call: its first branch is a return, so that frame is 0
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
      try (var st = c.createStatement()) {
        st.execute(SqlResource.schema());
        KnownTrace.insertWide(c, """
            INSERT INTO branches_in (segment_id, seq, from_ip, to_ip, kind, taken, from_function, to_function) VALUES
              (1, 1, 100, 500, 'ret', true, 'Inner+0x10', 'Outer+0x20'),
              (1, 2, 510, 900, 'call', true, 'Outer+0x30', 'Helper'),
              (1, 3, 950, 515, 'ret', true, 'Helper+0x8', 'Outer+0x35'),
              (1, 4, 520, 600, 'call', true, 'Outer+0x40', 'Other')""");
      }
      assertEquals(Rows.lines("""
          0 | 2 | 3 | Outer | Helper
          0 | 4 | NULL | Outer | Other
          """), Rows.of(c, "SELECT depth, call_seq, ret_seq, caller, callee FROM calls ORDER BY call_seq"));
    }
  }

  @Test
  void segmentSummary() throws Exception {
    assertEquals(Rows.lines("""
        1 | 1 | 1000 | 1 | SystemCallExit | notepad.exe | 1234 | 5678 | 90 | 9 | 0 | 0 | ok | ReadDocument | notepad.exe | KiSystemCall64 | ntoskrnl.exe
        2 | 1 | 2000 | 1 | SystemCallExit | notepad.exe | 1234 | 5678 | 89 | 9 | 0 | 0 | ok | ReadDocument | notepad.exe | KiSystemCall64 | ntoskrnl.exe
        3 | 1 | 3000 | 1 | CSwitch | notepad.exe | 1234 | 5678 | 40 | 2 | 0 | 0 | ok | KiSwapContext | ntoskrnl.exe | SwapContext | ntoskrnl.exe
        4 | 1 | 4000 | 2 | SystemCallExit | notepad.exe | 1234 | 5678 | 55 | 6 | 2 | 48 | errors | NtClose | ntdll.dll | KeBugCheckEx | ntoskrnl.exe
        5 | 1 | 5000 | 3 | SystemCallExit | explorer.exe | 800 | 900 | 59 | 7 | 0 | 0 | ok | CloseItem | explorer.exe | KiSystemCall64 | ntoskrnl.exe
        6 | 1 | 6000 | 0 | CSwitch | System | 4 | 8 | 0 | 0 | 0 | 0 | code-missing | NULL | NULL | NULL | NULL
        7 | 2 | NULL | NULL | NULL | NULL | NULL | NULL | 0 | 0 | 0 | 0 | no-code-given | NULL | NULL | NULL | NULL
        """), Rows.of(conn, "SELECT * FROM segment_summary ORDER BY segment_id"));
  }

  @Test
  void segmentProcessPicksTheProcessAliveAtTheTime() throws Exception {
    // pid 1234 reused: the first process ended at 500, the second started at 600
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
      try (var st = c.createStatement()) {
        st.execute(SqlResource.schema());
        st.execute("""
            INSERT INTO processes (trace_id, pid, name, start_ts, end_ts) VALUES
              (1, 1234, 'old.exe', NULL, 500), (1, 1234, 'new.exe', 600, NULL);
            INSERT INTO segments (segment_id, trace_id, ts, pid, file_offset, size_bytes, wrapped,
                                  skipped_bytes, packets, branches, instructions, errors, decode_status) VALUES
              (1, 1, 400, 1234, 0, 0, false, 0, 0, 0, 0, 0, 'ok'),
              (2, 1, 700, 1234, 0, 0, false, 0, 0, 0, 0, 0, 'ok')""");
      }
      assertEquals(List.of("1 | old.exe", "2 | new.exe"),
          Rows.of(c, "SELECT * FROM segment_process ORDER BY segment_id"));
    }
  }
}
