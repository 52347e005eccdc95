package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database is an ordinary DuckDB file: a separate JVM with nothing but the DuckDB JDBC jar
 * on its class path reads every table and view, and finds the rows and non-null values that
 * iptq's own connection sees.
 */
class SecondProcessTest {
  @TempDir Path dir;

  @Test
  void aFreshJvmWithOnlyTheJdbcDriverReadsEveryTable() throws Exception {
    Path db = KnownTrace.shared();
    List<String> expected = new ArrayList<>();
    try (Connection c = Store.open(db, true)) {
      for (String name : Rows.of(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")) {
        long values = 0;
        int cols = Integer.parseInt(Rows.of(c, "SELECT count(*) FROM duckdb_columns() WHERE table_name = '" + name + "'").get(0));
        for (String row : Rows.of(c, "SELECT * FROM \"" + name + "\"")) {
          String[] cells = row.split(" \\| ", -1);
          for (String cell : cells) if (!cell.equals("NULL")) values++;
          assertEquals(cols, cells.length, name); // no cell text holds the separator
        }
        expected.add(name + " " + Rows.of(c, "SELECT count(*) FROM \"" + name + "\"").get(0) + " " + values);
      }
    }
    assertTrue(expected.size() >= 18, expected.toString());

    String jdbcJar = null;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.contains("duckdb_jdbc")) jdbcJar = e;
    }
    Path source = dir.resolve("ReadEveryTable.java");
    try (var in = SecondProcessTest.class.getResourceAsStream("/iptq/store/ReadEveryTable.java")) {
      Files.write(source, in.readAllBytes());
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", jdbcJar, source.toString(), db.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "second JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertEquals(expected, List.of(out.strip().split("\n")));
  }
}
