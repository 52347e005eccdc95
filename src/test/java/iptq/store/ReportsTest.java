package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every canned report over the known decode of known-trace.sql, asserting its exact rows. The
 * expected figures follow from the steps written there (e.g. segment 1: ReadDocument 5
 * instructions, ntdll!NtReadFile 3, KiSystemCall64 20+6, ...).
 */
class ReportsTest {
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

  static List<String> run(String name, String... params) throws Exception {
    Report r = Report.load(name);
    Map<String, String> p = new LinkedHashMap<>();
    for (String kv : params) {
      String[] x = kv.split("=", 2);
      p.put(x[0], x[1]);
    }
    r.bind(conn, p);
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(r.sql())) {
      return Rows.of(rs);
    }
  }

  @Test
  void functionsBeforeEndsWithTheFunctionRunningAtTheEvent() throws Exception {
    assertEquals(Rows.lines("""
        1 | 1 | 2026-11-02 09:30:00.000001 | 1000 | notepad.exe | 1234 | 5678 | 3 | IopSynchronousServiceTail | ntoskrnl.exe | 10 | 15 | 15
        1 | 1 | 2026-11-02 09:30:00.000001 | 1000 | notepad.exe | 1234 | 5678 | 2 | NtReadFile | ntoskrnl.exe | 4 | 17 | 17
        1 | 1 | 2026-11-02 09:30:00.000001 | 1000 | notepad.exe | 1234 | 5678 | 1 | KiSystemCall64 | ntoskrnl.exe | 7 | 19 | 19
        2 | 1 | 2026-11-02 09:30:00.000002 | 2000 | notepad.exe | 1234 | 5678 | 3 | IopSynchronousServiceTail | ntoskrnl.exe | 10 | 15 | 15
        2 | 1 | 2026-11-02 09:30:00.000002 | 2000 | notepad.exe | 1234 | 5678 | 2 | NtReadFile | ntoskrnl.exe | 4 | 17 | 17
        2 | 1 | 2026-11-02 09:30:00.000002 | 2000 | notepad.exe | 1234 | 5678 | 1 | KiSystemCall64 | ntoskrnl.exe | 7 | 19 | 19
        4 | 1 | 2026-11-02 09:30:00.000004 | 4000 | notepad.exe | 1234 | 5678 | 3 | NtClose | ntoskrnl.exe | 5 | 7 | 7
        4 | 1 | 2026-11-02 09:30:00.000004 | 4000 | notepad.exe | 1234 | 5678 | 2 | ObpCloseHandle | ntoskrnl.exe | 11 | 9 | 9
        4 | 1 | 2026-11-02 09:30:00.000004 | 4000 | notepad.exe | 1234 | 5678 | 1 | KeBugCheckEx | ntoskrnl.exe | 10 | 11 | 13
        5 | 1 | 2026-11-02 09:30:00.000005 | 5000 | explorer.exe | 800 | 900 | 3 | ObpCloseHandle | ntoskrnl.exe | 11 | 11 | 11
        5 | 1 | 2026-11-02 09:30:00.000005 | 5000 | explorer.exe | 800 | 900 | 2 | NtClose | ntoskrnl.exe | 3 | 13 | 13
        5 | 1 | 2026-11-02 09:30:00.000005 | 5000 | explorer.exe | 800 | 900 | 1 | KiSystemCall64 | ntoskrnl.exe | 7 | 15 | 15
        """), run("functions-before", "last=3"));
  }

  @Test
  void functionsBeforeAllVisitsOfACSwitchSegment() throws Exception {
    // last=0 keeps every visit; the packets-only CSwitch segment 6 has none
    assertEquals(Rows.lines("""
        3 | 1 | 2026-11-02 09:30:00.000003 | 3000 | notepad.exe | 1234 | 5678 | 2 | KiSwapContext | ntoskrnl.exe | 6 | 1 | 1
        3 | 1 | 2026-11-02 09:30:00.000003 | 3000 | notepad.exe | 1234 | 5678 | 1 | SwapContext | ntoskrnl.exe | 34 | 3 | 5
        """), run("functions-before", "trigger=CSwitch", "last=0"));
  }

  @Test
  void hotFunctionsByInstructions() throws Exception {
    assertEquals(Rows.lines("""
        notepad.exe | ntoskrnl.exe | KiSystemCall64 | 92 | 27.63 | 5 | 8 | 3 | 1
        notepad.exe | ntoskrnl.exe | NtReadFile | 48 | 14.41 | 6 | 6 | 2 | 1
        notepad.exe | ntoskrnl.exe | SwapContext | 34 | 10.21 | 1 | 2 | 1 | 1
        explorer.exe | ntoskrnl.exe | KiSystemCall64 | 33 | 9.91 | 2 | 3 | 1 | 1
        notepad.exe | ntoskrnl.exe | ObReferenceObjectByHandle | 30 | 9.01 | 2 | 2 | 2 | 1
        """), run("hot-functions", "limit=5"));
  }

  @Test
  void hotFunctionsByVisitsOfOneTrigger() throws Exception {
    assertEquals(Rows.lines("""
        notepad.exe | ntoskrnl.exe | KiSwapContext | 6 | 15.0 | 1 | 1 | 1 | 1
        notepad.exe | ntoskrnl.exe | SwapContext | 34 | 85.0 | 1 | 2 | 1 | 1
        """), run("hot-functions", "by=visits", "limit=3", "trigger=CSwitch"));
    assertEquals(Rows.lines("""
        notepad.exe | ntoskrnl.exe | NtReadFile | 48 | 14.41 | 6 | 6 | 2 | 1
        notepad.exe | ntoskrnl.exe | KiSystemCall64 | 92 | 27.63 | 5 | 8 | 3 | 1
        """), run("hot-functions", "by=visits", "limit=2"));
  }

  @Test
  void hotBlocks() throws Exception {
    assertEquals(Rows.lines("""
        notepad.exe | ntoskrnl.exe | KiSystemCall64 | 18446735277616533504 | 18446735277616533582 | 60 | 18.02 | 3 | 3 | 1
        notepad.exe | ntoskrnl.exe | ObReferenceObjectByHandle | 18446735277616541696 | 18446735277616541758 | 30 | 9.01 | 2 | 2 | 1
        notepad.exe | ntoskrnl.exe | SwapContext | 18446735277616554496 | 18446735277616554590 | 25 | 7.51 | 1 | 1 | 1
        notepad.exe | ntoskrnl.exe | NtReadFile | 18446735277616537600 | 18446735277616537646 | 24 | 7.21 | 2 | 2 | 1
        """), run("hot-blocks", "limit=4"));
  }

  @Test
  void hotBlocksWriteOffsetsAsBranchesDo() throws Exception {
    // function+0xOFF, the one way offsets print (branches.from_function, WinDbg), never a decimal column
    List<String> rows = run("hot-blocks", "limit=0");
    long withOffset = rows.stream().filter(r -> r.split(" \\| ")[2].matches("[A-Za-z0-9_]+\\+0x[0-9a-f]+")).count();
    assertTrue(withOffset > 0, String.join("\n", rows));
    for (String r : rows) assertTrue(r.split(" \\| ")[2].matches("[A-Za-z0-9_]+(\\+0x[0-9a-f]+)?"), r);
    List<String> fromBranches = Rows.of(conn, "SELECT DISTINCT from_function FROM branches WHERE from_function LIKE '%+0x%'");
    assertTrue(fromBranches.stream().allMatch(f -> f.matches("[A-Za-z0-9_]+\\+0x[0-9a-f]+")), fromBranches.toString());
  }

  @Test
  void callTreeWithInclusiveInstructions() throws Exception {
    assertEquals(Rows.lines("""
        1 | 1 | 2026-11-02 09:30:00.000001 | 2 | 0 | ntdll.dll!NtReadFile | 85 | false | 140711718554016
        1 | 1 | 2026-11-02 09:30:00.000001 | 8 | 1 |   ntoskrnl.exe!NtReadFile | 49 | true | 18446735277616537600
        1 | 1 | 2026-11-02 09:30:00.000001 | 10 | 2 |     ntoskrnl.exe!ObReferenceObjectByHandle | 15 | true | 18446735277616541696
        1 | 1 | 2026-11-02 09:30:00.000001 | 14 | 2 |     ntoskrnl.exe!IopSynchronousServiceTail | 10 | true | 18446735277616542720
        """), run("call-tree", "segment=1"));
    // segment 4's compressed return lost its target, yet still closes ObpCloseHandle's call
    assertEquals(Rows.lines("""
        4 | 1 | 2026-11-02 09:30:00.000004 | 6 | 0 | ntoskrnl.exe!NtClose | 26 | false | 18446735277616545792
        4 | 1 | 2026-11-02 09:30:00.000004 | 8 | 1 |   ntoskrnl.exe!ObpCloseHandle | 11 | true | 18446735277616546304
        """), run("call-tree", "segment=4"));
    assertEquals(14, run("call-tree").size());
    assertEquals(9, run("call-tree", "max_depth=1").size());
  }

  @Test
  void moduleCoverage() throws Exception {
    assertEquals(Rows.lines("""
        ntoskrnl.exe | 16 | 9 | 10 | 90.0 | 308 | 31 | 5 | 1
        ntdll.dll | 2 | 2 | 2 | 100.0 | 12 | 4 | 4 | 1
        notepad.exe | 2 | 1 | 2 | 50.0 | 9 | 2 | 2 | 1
        explorer.exe | 1 | 1 | 1 | 100.0 | 4 | 1 | 1 | 1
        """), run("module-coverage"));
  }

  @Test
  void decodeHealthFlagsErrorsAndTheImpossibleBugcheck() throws Exception {
    // Segment 4: 48 bytes skipped, 16 of them the normal cut-off before its first PSB; its
    // return mismatch, the bugcheck that "ran" while the trace went on, and its end outside the
    // system-service return path are each a column. Segment 3 ends in the context-swap code.
    String t = "1 | 2026-11-02 09:30:00.00000";
    assertEquals(List.of(
        "1 | " + t + "1 | SystemCallExit | ok | 40 | 90 | 0 |  | 0 | 0 | 0 | NULL | ntoskrnl.exe!KiSystemCall64 | true",
        "2 | " + t + "2 | SystemCallExit | ok | 40 | 89 | 0 |  | 0 | 0 | 0 | NULL | ntoskrnl.exe!KiSystemCall64 | true",
        "3 | " + t + "3 | CSwitch | ok | 40 | 40 | 0 |  | 0 | 0 | 0 | NULL | ntoskrnl.exe!SwapContext | true",
        "4 | " + t + "4 | SystemCallExit | errors | 40 | 55 | 2 | no-code 1, ret-not-taken 1 | 32 | 16 | 1 | KeBugCheckEx | ntoskrnl.exe!KeBugCheckEx | false",
        "5 | " + t + "5 | SystemCallExit | ok | 40 | 59 | 0 |  | 0 | 0 | 0 | NULL | ntoskrnl.exe!KiSystemCall64 | true",
        "6 | " + t + "6 | CSwitch | code-missing | 6 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL",
        "7 | 2 | NULL | NULL | no-code-given | 3 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL"), run("decode-health"));
    assertEquals(List.of(
        "3 | " + t + "3 | CSwitch | ok | 40 | 40 | 0 |  | 0 | 0 | 0 | SwapContext | ntoskrnl.exe!SwapContext | true",
        "4 | " + t + "4 | SystemCallExit | errors | 40 | 55 | 2 | no-code 1, ret-not-taken 1 | 32 | 16 | 1 | KeBugCheckEx | ntoskrnl.exe!KeBugCheckEx | false",
        "6 | " + t + "6 | CSwitch | code-missing | 6 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL",
        "7 | 2 | NULL | NULL | no-code-given | 3 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL"),
        run("decode-health", "problems_only=true", "suspects=KeBugCheckEx, SwapContext"));
    // A wrapped buffer's cut-off alone is no problem; a CSwitch segment ending outside the
    // context-swap code is one, where the trace's names know that code.
    assertEquals(List.of(
        "4 | " + t + "4 | SystemCallExit | errors | 40 | 55 | 2 | no-code 1, ret-not-taken 1 | 32 | 16 | 1 | KeBugCheckEx | ntoskrnl.exe!KeBugCheckEx | false",
        "6 | " + t + "6 | CSwitch | code-missing | 6 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL",
        "7 | 2 | NULL | NULL | no-code-given | 3 | 0 | 0 |  | 0 | 0 | 0 | NULL | NULL | NULL"),
        run("decode-health", "problems_only=true"));
    assertEquals(List.of("3 | " + t + "3 | CSwitch | ok | 40 | 40 | 0 |  | 0 | 0 | 0 | NULL | ntoskrnl.exe!SwapContext | false"),
        run("decode-health", "problems_only=true", "cswitch=KiIdleLoop").subList(0, 1));
  }

  @Test
  void syscallPathsGroupIdenticalKernelPaths() throws Exception {
    // One row per distinct path through ntoskrnl.exe from its entry (the system call, or the
    // context switch's first function) to the event; the two reads took the same path.
    String t = " | 2026-11-02 09:30:00.00000";
    assertEquals(List.of(
        "ntoskrnl.exe | KiSystemCall64 > NtReadFile > ObReferenceObjectByHandle > NtReadFile > IopSynchronousServiceTail > NtReadFile > KiSystemCall64 | 2 | 0 | 7 | 82.0 | 2 | notepad.exe | 1" + t + "092" + t + "192 | 1",
        "ntoskrnl.exe | KiSwapContext > SwapContext | 1 | 0 | 2 | 40.0 | 1 | notepad.exe | 1" + t + "297" + t + "297 | 3",
        "ntoskrnl.exe | KiSystemCall64 > NtClose > ObpCloseHandle > KeBugCheckEx | 1 | 0 | 4 | 52.0 | 1 | notepad.exe | 1" + t + "394" + t + "394 | 4",
        "ntoskrnl.exe | KiSystemCall64 > NtClose > ObpCloseHandle > NtClose > KiSystemCall64 | 1 | 0 | 5 | 52.0 | 1 | explorer.exe | 1" + t + "494" + t + "494 | 5"),
        run("syscall-paths", "module=ntoskrnl.exe"));
    assertEquals(List.of(
        "ntoskrnl.exe | KiSwapContext > SwapContext | 1 | 0 | 2 | 40.0 | 1 | notepad.exe | 1" + t + "297" + t + "297 | 3"),
        run("syscall-paths", "module=NTOSKRNL.EXE", "trigger=CSwitch"));
    // The default is every driver other than the kernel: the known trace has none.
    assertEquals(List.of(), run("syscall-paths"));
  }

  @Test
  void segmentDiff() throws Exception {
    assertEquals(Rows.lines("""
        first divergence | 1 | ReadDocument | notepad.exe | NULL | NULL | CloseItem | explorer.exe | NULL | NULL | 1 | 1
        only in a | 1 | ReadDocument | notepad.exe | 1 | 5 | NULL | NULL | NULL | NULL | 1 | 1
        only in a | 2 | NtReadFile | ntdll.dll | 1 | 3 | NULL | NULL | NULL | NULL | 1 | 1
        only in a | 4 | NtReadFile | ntoskrnl.exe | 3 | 24 | NULL | NULL | NULL | NULL | 1 | 1
        only in a | 5 | ObReferenceObjectByHandle | ntoskrnl.exe | 1 | 15 | NULL | NULL | NULL | NULL | 1 | 1
        only in a | 7 | IopSynchronousServiceTail | ntoskrnl.exe | 1 | 10 | NULL | NULL | NULL | NULL | 1 | 1
        only in b | 1 | NULL | NULL | NULL | NULL | CloseItem | explorer.exe | 1 | 4 | 1 | 1
        only in b | 2 | NULL | NULL | NULL | NULL | NtClose | ntdll.dll | 1 | 3 | 1 | 1
        only in b | 4 | NULL | NULL | NULL | NULL | NtClose | ntoskrnl.exe | 2 | 8 | 1 | 1
        only in b | 5 | NULL | NULL | NULL | NULL | ObpCloseHandle | ntoskrnl.exe | 1 | 11 | 1 | 1
        """), run("segment-diff", "a=1", "b=5"));
    // 2 repeats 1's functions exactly, at other offsets in ReadDocument
    assertEquals(List.of("same path | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | 1 | 1"),
        run("segment-diff", "a=1", "b=2"));
    assertEquals(Rows.lines("""
        first divergence | 1 | NtClose | ntdll.dll | NULL | NULL | CloseItem | explorer.exe | NULL | NULL | 1 | 1
        only in a | 5 | KeBugCheckEx | ntoskrnl.exe | 1 | 10 | NULL | NULL | NULL | NULL | 1 | 1
        only in b | 1 | NULL | NULL | NULL | NULL | CloseItem | explorer.exe | 1 | 4 | 1 | 1
        """), run("segment-diff", "a=4", "b=5"));
  }

  @Test
  void timelineOfOneThread() throws Exception {
    assertEquals(Rows.lines("""
        2026-11-02 09:30:00.0000001 | 100 | 1 | event | ProcessStart | 2 | 1234 | 1 | {"pid":1234,"parent":800,"name":"notepad.exe"}
        2026-11-02 09:30:00.00000015 | 150 | 1 | event | ThreadStart | 3 | 1234 | 1 | {"tid":5678,"pid":1234}
        2026-11-02 09:30:00.000001 | 1000 | 1 | segment | SystemCallExit | 1 | 1234 | 1 | 90 instructions, 0 errors, ReadDocument .. KiSystemCall64
        2026-11-02 09:30:00.000001 | 1000 | 1 | event | SystemCallExit | 4 | 1234 | 1 | {"status":0}
        2026-11-02 09:30:00.000001 | 1000 | 1 | event | ProcessorTrace | 5 | 1234 | 1 | NULL
        2026-11-02 09:30:00.000002 | 2000 | 1 | segment | SystemCallExit | 2 | 1234 | 1 | 89 instructions, 0 errors, ReadDocument .. KiSystemCall64
        2026-11-02 09:30:00.000002 | 2000 | 1 | event | SystemCallExit | 6 | 1234 | 1 | {"status":0}
        2026-11-02 09:30:00.000003 | 3000 | 1 | segment | CSwitch | 3 | 1234 | 1 | 40 instructions, 0 errors, KiSwapContext .. SwapContext
        2026-11-02 09:30:00.000003 | 3000 | 1 | event | CSwitch | 7 | 1234 | 1 | {"new_tid":0,"old_tid":5678}
        2026-11-02 09:30:00.000004 | 4000 | 1 | segment | SystemCallExit | 4 | 1234 | 2 | 55 instructions, 2 errors, NtClose .. KeBugCheckEx
        2026-11-02 09:30:00.000004 | 4000 | 1 | event | SystemCallExit | 8 | 1234 | 2 | {"status":0}
        2026-11-02 09:30:00.000007 | 7000 | 1 | event | ThreadEnd | 11 | 1234 | 1 | {"tid":5678,"pid":1234}
        """), run("timeline", "tid=5678"));
    assertEquals(List.of(), run("timeline", "tid=5678", "trace=2"));
  }
}
