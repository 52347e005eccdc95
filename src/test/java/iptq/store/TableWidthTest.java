package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tables fit the terminal: every line at most the width, the widest columns cut first, with "…". */
class TableWidthTest {
  /** A wide row as the reports give them: short text, long text, numbers, addresses. */
  static final String QUERY = """
      SELECT 'sampapp.exe' AS process, 'sampdrv.sys' AS module,
             'SampTreeChecksumWithAVeryLongNameIndeed' || i AS function,
             '\\\\Device\\\\HarddiskVolume3\\\\Windows\\\\System32\\\\drivers\\\\sampdrv.sys' AS path,
             (18446735286000000000 + i)::UBIGINT AS start_ip, 1000 * i AS instructions, 12.5 AS pct
      FROM range(3) t(i)
      """;

  static List<String> table(int width, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      StringWriter sw = new StringWriter();
      new ResultPrinter(ResultFormat.TABLE, width, 1000).print(rs, new PrintWriter(sw));
      return sw.toString().lines().toList();
    }
  }

  @ParameterizedTest(name = "width {0}")
  @ValueSource(ints = {20, 40, 60, 80, 100, 120, 160, 200})
  void everyLineFits(int width) throws Exception {
    List<String> lines = table(width, QUERY);
    for (String l : lines) {
      if (l.startsWith("(")) continue; // the notes under the table are prose, not table lines
      assertTrue(l.codePointCount(0, l.length()) <= width, width + ": " + l.length() + " chars: " + l);
    }
    assertTrue(lines.get(lines.size() - 1).startsWith("(3 rows)") || lines.get(lines.size() - 2).contains("not shown"));
  }

  @Test
  void theWidestColumnsAreCutFirstAndShortOnesKept() throws Exception {
    List<String> lines = table(120, QUERY);
    String row = lines.get(2);
    assertTrue(row.startsWith("sampapp.exe | sampdrv.sys | SampTree"), row);
    assertTrue(row.contains("…"), row);
    assertTrue(row.contains(" 0xfffff801f3b19c00 "), "addresses kept whole while text can be cut: " + row);
    assertTrue(row.endsWith("|            0 | 12.5"), row);
    // the two long columns share the room: cut to within a character of each other
    String[] cells = row.split(" \\| ");
    assertTrue(Math.abs(cells[2].strip().length() - cells[3].strip().length()) <= 1, row);
    assertEquals(120, row.length(), "the room is used: " + row);
  }

  @Test
  void wideEnoughMeansNothingIsCut() throws Exception {
    List<String> lines = table(400, QUERY);
    assertTrue(lines.stream().noneMatch(l -> l.contains("…")), String.join("\n", lines));
    assertTrue(lines.get(2).contains("SampTreeChecksumWithAVeryLongNameIndeed0"));
  }

  @Test
  void tooManyColumnsLeaveTheLastOnesOut() throws Exception {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < 30; i++) sql.append(i == 0 ? "" : ", ").append(i).append(" AS c").append(i);
    List<String> lines = table(40, sql.toString());
    for (String l : lines.subList(0, 3)) assertTrue(l.length() <= 40, l);
    assertTrue(lines.get(3).startsWith("(20 more columns not shown: c10, c11"), lines.get(3));
  }
}
