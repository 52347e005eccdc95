package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three exports of the bundled sample's database, checked against their formats' rules and
 * against the decode itself: the function slices nest as the sample's calls, returns and system
 * calls do, and the instructions they carry add up to the blocks' instructions.
 */
class ExportFormatsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void chromeTraceNestsPerThreadAsTheCallsDo(@TempDir Path dir) throws Exception {
    try (Connection conn = SampleDatabase.open()) {
      Path out = dir.resolve("t.json");
      assertEquals(24, Pictures.CHROME_TRACE.write(conn, Selection.ALL, out, "test"));
      JsonNode root = JSON.readTree(out.toFile());
      ChromeTraceRules r = ChromeTraceRules.check(root);
      // Traces 1 and 2 have no timing packets, so the whole file is on the instruction axis.
      assertEquals("instructions", root.get("otherData").get("time_axis").asText());
      assertEquals(24, r.segments.size());
      assertEquals(Set.of("sampapp.exe (pid 888, trace 1)", "sampapp.exe (pid 648, trace 2)", "sampapp.exe (pid 720, trace 3)"),
          new TreeSet<>(r.processNames.values()));
      assertEquals(Set.of("tid 892", "tid 696", "tid 780"), new TreeSet<>(r.threadNames.values()));
      // Every function the decode walked has slices, and each parent/child is a call the decode saw.
      assertEquals(SampleDatabase.strings(conn, "SELECT DISTINCT function FROM blocks WHERE function IS NOT NULL"), r.functionNames);
      Set<String> calls = SampleDatabase.callPairs(conn);
      for (String p : r.pairs) assertTrue(calls.contains(p), "nested but never called so: " + p);
      assertTrue(r.pairs.contains("SampKiSystemCall64 > SampSystemService"), r.pairs.toString());
      assertTrue(r.pairs.contains("SampSyscall > SampKiSystemCall64"), r.pairs.toString());
      assertTrue(r.pairs.contains("SampTreeChecksum > SampTreeChecksum"), r.pairs.toString());
      // The triggering event of each segment is an instant at its end.
      assertEquals(18, r.instants.stream().filter(i -> i.equals("trigger:SystemCallExit")).count());
      assertEquals(6, r.instants.stream().filter(i -> i.equals("trigger:CSwitch")).count());
    }
  }

  @Test
  void segmentsFollowWallClockTimeAcrossRecordings(@TempDir Path dir) throws Exception {
    // each recording counts ts from its own start: by ts alone the three would interleave
    try (Connection conn = SampleDatabase.open()) {
      Path out = dir.resolve("t.json");
      Pictures.CHROME_TRACE.write(conn, Selection.ALL, out, "test");
      List<String> written = ChromeTraceRules.check(JSON.readTree(out.toFile())).segments.stream()
          .map(t -> t.replaceAll("^segment (\\d+) .*", "$1")).toList();
      List<String> byTime = new java.util.ArrayList<>();
      try (var st = conn.createStatement(); var rs = st.executeQuery("SELECT segment_id FROM segments ORDER BY time_utc, segment_id")) {
        while (rs.next()) byTime.add(rs.getString(1));
      }
      assertEquals(byTime, written);
      try (var st = conn.createStatement(); var rs = st.executeQuery(
          "SELECT count(*) FROM segments a JOIN segments b ON a.ts < b.ts AND a.time_utc > b.time_utc")) {
        rs.next();
        assertTrue(rs.getLong(1) > 0, "the sample's recordings do interleave by ts");
      }
    }
  }

  @Test
  void chromeTraceOfTimedSegmentsIsOnTheTimeAxis(@TempDir Path dir) throws Exception {
    try (Connection conn = SampleDatabase.open()) {
      Path out = dir.resolve("t.json");
      Selection trace3 = new Selection(List.of(), 3, null, null, 1_400_000L, null);
      assertEquals(6, Pictures.CHROME_TRACE.write(conn, trace3, out, "test"));
      JsonNode root = JSON.readTree(out.toFile());
      ChromeTraceRules.check(root);
      assertEquals("time", root.get("otherData").get("time_axis").asText());
      double min = Double.MAX_VALUE, max = 0;
      for (JsonNode e : root.get("traceEvents")) {
        if (!e.has("ts")) continue;
        min = Math.min(min, e.get("ts").asDouble());
        max = Math.max(max, e.get("ts").asDouble());
      }
      // Segments 19-24 run from 1.41 ms to 2.01 ms (µs in the file), as their blocks' estimates say.
      long first = SampleDatabase.number(conn, "SELECT min(ts) FROM blocks WHERE segment_id = 19");
      long lastStart = SampleDatabase.number(conn, "SELECT max(ts) FROM blocks WHERE segment_id = 24");
      assertEquals(first / 1000.0, min, 0.001);
      assertTrue(max >= lastStart / 1000.0 && max < 2010.3 + 1, "max " + max);
    }
  }

  @Test
  void foldedStacksCarryEveryInstruction(@TempDir Path dir) throws Exception {
    try (Connection conn = SampleDatabase.open()) {
      Path out = dir.resolve("t.folded");
      Pictures.FOLDED.write(conn, Selection.ALL, out, "test");
      long total = 0;
      Set<String> calls = SampleDatabase.callPairs(conn);
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      assertTrue(lines.size() > 20);
      for (String line : lines) {
        assertTrue(line.matches("[^;\\n]+(;[^;\\n]+)+ [1-9][0-9]*"), line);
        int sp = line.lastIndexOf(' ');
        total += Long.parseLong(line.substring(sp + 1));
        String[] stack = line.substring(0, sp).split(";");
        assertEquals("sampapp.exe", stack[0]);
        for (int i = 2; i < stack.length; i++) {
          assertTrue(calls.contains(stack[i - 1] + " > " + stack[i]), line);
        }
      }
      assertEquals(SampleDatabase.number(conn, "SELECT sum(insns) FROM blocks"), total);
      String one = Files.readString(dir.resolve("t.folded"));
      assertTrue(one.contains("sampapp.exe;SampMain;SampRunScript;CmdSum;SampSyscall;SampKiSystemCall64;SampSystemService;SampTreeChecksum "), one);
    }
  }

  @Test
  void speedscopeProfilesOpenAndCloseInOrder(@TempDir Path dir) throws Exception {
    try (Connection conn = SampleDatabase.open()) {
      Path out = dir.resolve("t.speedscope.json");
      assertEquals(24, Pictures.SPEEDSCOPE.write(conn, Selection.ALL, out, "test"));
      JsonNode root = JSON.readTree(out.toFile());
      SpeedscopeRules.check(root);
      assertEquals(Speedscope.SCHEMA, root.get("$schema").asText());
      assertEquals(24, root.get("profiles").size());
      int timed = 0;
      for (JsonNode p : root.get("profiles")) if (p.get("unit").asText().equals("nanoseconds")) timed++;
      assertEquals(6, timed);
      Set<String> names = new TreeSet<>();
      for (JsonNode f : root.get("shared").get("frames")) names.add(f.get("name").asText());
      assertEquals(SampleDatabase.strings(conn, "SELECT DISTINCT function FROM blocks WHERE function IS NOT NULL"), names);
    }
  }

  @Test
  void filtersPickSegments(@TempDir Path dir) throws Exception {
    try (Connection conn = SampleDatabase.open()) {
      assertEquals(List.of(19L), ids(conn, Selection.segment(19)));
      assertEquals(List.of(9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L), ids(conn, new Selection(null, null, null, 696, null, null)));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), ids(conn, new Selection(null, 1, 888, null, null, null)));
      assertEquals(List.of(17L, 18L), ids(conn, new Selection(null, null, null, null, 1_000_000L, 1_003_300L)));
      assertEquals(List.of(3L, 19L), ids(conn, new Selection(List.of(3L, 19L, 999L), null, null, null, null, null)));
      Path out = dir.resolve("one.json");
      Pictures.CHROME_TRACE.write(conn, Selection.segment(19), out, "test");
      ChromeTraceRules r = ChromeTraceRules.check(JSON.readTree(out.toFile()));
      assertEquals(List.of("segment 19 · SystemCallExit"), r.segments);
    }
  }

  static List<Long> ids(Connection conn, Selection sel) throws Exception {
    return FlowReader.segments(conn, sel).stream().map(SegmentInfo::id).sorted().toList();
  }

  /** speedscope's evented profiles: O/C like brackets, at never decreasing, frames defined. */
  static final class SpeedscopeRules {
    static void check(JsonNode root) {
      int frames = root.get("shared").get("frames").size();
      for (JsonNode p : root.get("profiles")) {
        assertEquals("evented", p.get("type").asText());
        assertTrue(Set.of("none", "nanoseconds").contains(p.get("unit").asText()));
        long start = p.get("startValue").asLong(), end = p.get("endValue").asLong(), at = start;
        ArrayDeque<Integer> open = new ArrayDeque<>();
        for (JsonNode e : p.get("events")) {
          long t = e.get("at").asLong();
          assertTrue(t >= at && t <= end, p.get("name") + ": at " + t + " after " + at + ", end " + end);
          at = t;
          int f = e.get("frame").asInt();
          assertTrue(f >= 0 && f < frames);
          if (e.get("type").asText().equals("O")) open.push(f);
          else assertEquals(open.pop(), f, "closes a frame that is not the innermost open one");
        }
        assertTrue(open.isEmpty(), p.get("name") + " leaves frames open");
      }
    }
  }
}
