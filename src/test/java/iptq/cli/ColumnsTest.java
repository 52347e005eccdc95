package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.KnownTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code COLUMNS} sets the width tables fit, as shells set it: every line of a wide table within it. */
class ColumnsTest {
  @Test
  void tablesFitColumns(@TempDir Path dir) throws Exception {
    String db = KnownTrace.build(dir).toString();
    for (int columns : List.of(60, 160)) {
      ProcessBuilder pb = new ProcessBuilder(Jvm.iptq("sql", db, "SELECT * FROM modules ORDER BY module_id", "-f", "table"))
          .redirectErrorStream(true);
      pb.environment().put("COLUMNS", Integer.toString(columns));
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out);
      List<String> lines = out.lines().filter(l -> !l.startsWith("(")).toList();
      assertTrue(lines.size() > 3, out);
      int widest = 0;
      for (String l : lines) widest = Math.max(widest, l.codePointCount(0, l.length()));
      assertTrue(widest <= columns, "COLUMNS=" + columns + ": a line of " + widest + "\n" + out);
      assertTrue(widest >= columns - 5, "COLUMNS=" + columns + ": the room is used (" + widest + ")\n" + out);
    }
  }
}
