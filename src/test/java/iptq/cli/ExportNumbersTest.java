package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Export;
import iptq.store.KnownTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Addresses in CSV and JSON exports are {@code 0x…} text, so DuckDB reads the files back: every
 * row of the table again, each address cast back with {@code ::UBIGINT} (kernel addresses are
 * above 2^63, which DuckDB's CSV sniffer would read as a lossy DOUBLE and its JSON reader
 * refuse). {@code --raw-numbers} keeps them numbers. And {@code sql --format json} writes what
 * {@code export --format json} writes.
 */
class ExportNumbersTest {
  @TempDir static Path dir;
  static Path db;

  @BeforeAll
  static void build() throws Exception {
    db = KnownTrace.build(dir);
  }

  /** Rows of {@code table} in the database that the file's rows (addresses cast back) do not match, both ways. */
  static long mismatches(String table, List<String> addresses, String reader) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("ATTACH " + Export.literal(db.toString()) + " AS t (READ_ONLY)");
      StringBuilder back = new StringBuilder("SELECT * REPLACE (");
      for (int i = 0; i < addresses.size(); i++) {
        back.append(i == 0 ? "" : ", ").append(addresses.get(i)).append("::UBIGINT AS ").append(addresses.get(i));
      }
      back.append(") FROM ").append(reader);
      String original = "SELECT * FROM t." + table;
      String sql = "SELECT (SELECT count(*) FROM (" + original + " EXCEPT ALL " + back + ")) + "
          + "(SELECT count(*) FROM (" + back + " EXCEPT ALL " + original + ")), (SELECT count(*) FROM " + reader + ")";
      try (ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        assertTrue(rs.getLong(2) > 0, "rows read back from " + reader);
        return rs.getLong(1);
      }
    }
  }

  @Test
  void csvAndJsonReadBackByDuckDb() throws Exception {
    for (String table : List.of("branches", "blocks", "modules")) {
      List<String> addresses = switch (table) {
        case "branches" -> List.of("from_ip", "to_ip");
        case "blocks" -> List.of("start_ip", "end_ip");
        default -> List.of("base");
      };
      for (String format : List.of("csv", "json")) {
        Path f = dir.resolve(table + "." + format);
        Cli r = Cli.run("export", db.toString(), table, "-f", format, "-o", f.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(f);
        assertTrue(text.contains("0xfffff8"), table + "." + format + " has kernel addresses in hex: " + text);
        String reader = (format.equals("csv") ? "read_csv(" : "read_json(") + Export.literal(f.toString()) + ")";
        assertEquals(0, mismatches(table, addresses, reader), table + "." + format);
      }
    }
  }

  @Test
  void rawNumbersKeepsThem() throws Exception {
    Path f = dir.resolve("raw.csv");
    Cli r = Cli.run("export", db.toString(), "SELECT base FROM modules WHERE module_id = 1", "-f", "csv", "-o", f.toString(), "--raw-numbers");
    assertEquals(0, r.exit(), r.err());
    assertEquals("base\n" + Long.toUnsignedString(0xfffff80000000000L) + "\n", Files.readString(f));
    Cli sql = Cli.run("sql", db.toString(), "SELECT base FROM modules WHERE module_id = 1", "-f", "csv", "--raw-numbers");
    assertEquals("base\n" + Long.toUnsignedString(0xfffff80000000000L) + "\n", sql.out());
    Cli hex = Cli.run("sql", db.toString(), "SELECT base FROM modules WHERE module_id = 1", "-f", "csv");
    assertEquals("base\n0xfffff80000000000\n", hex.out());
  }

  @Test
  void sqlJsonAndExportJsonWriteTheSameShape() throws Exception {
    String q = "SELECT segment_id, seq, from_ip, to_ip, kind, taken, from_function, NULL::INTEGER AS nothing "
        + "FROM branches ORDER BY segment_id, seq";
    Path f = dir.resolve("same.json");
    Cli e = Cli.run("export", db.toString(), q, "-f", "json", "-o", f.toString());
    assertEquals(0, e.exit(), e.err());
    Cli s = Cli.run("sql", db.toString(), q, "-f", "json");
    assertEquals(0, s.exit(), s.err());
    assertTrue(s.out().startsWith("[\n\t{\"segment_id\":"), s.out());
    assertEquals(Files.readString(f), s.out());
  }
}
