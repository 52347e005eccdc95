package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.KnownTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iptq sql}: one-shot queries in every format, and the shell driven through stdin. */
class SqlCommandTest {
  @TempDir static Path dir;
  static String db;

  @BeforeAll
  static void build() throws Exception {
    db = KnownTrace.build(dir).toString();
  }

  @Test
  void csvTsvAndJson() {
    String q = "SELECT segment_id, \"trigger\", ts FROM segments WHERE segment_id IN (1, 7) ORDER BY 1";
    Cli csv = Cli.run("sql", db, q, "--format", "csv");
    assertEquals(0, csv.exit(), csv.err());
    assertEquals("segment_id,trigger,ts\n1,SystemCallExit,1000\n7,,\n", csv.out());
    assertEquals("segment_id\ttrigger\tts\n1\tSystemCallExit\t1000\n7\t\t\n",
        Cli.run("sql", db, q, "-f", "tsv").out());
    assertEquals("[\n\t{\"segment_id\":1,\"trigger\":\"SystemCallExit\",\"ts\":1000},\n"
        + "\t{\"segment_id\":7,\"trigger\":null,\"ts\":null}\n]\n", Cli.run("sql", db, q, "-f", "json").out());
    // in a pipe (no console), CSV is the default
    assertEquals(csv.out(), Cli.run("sql", db, q).out());
  }

  @Test
  void tablesShowAddressesInHexAndAlignNumbers() {
    Cli t = Cli.run("sql", db, "SELECT name, base, size FROM modules WHERE module_id IN (1, 3) ORDER BY module_id", "-f", "table");
    assertEquals(0, t.exit(), t.err());
    assertEquals("""
        name         |               base |     size
        -------------+--------------------+---------
        ntoskrnl.exe | 0xfffff80000000000 | 16777216
        notepad.exe  |     0x7ff700000000 |   327680
        (2 rows)
        """, t.out());
  }

  @Test
  void tablesShowFunctionOffsetsAsPlusHex() {
    Cli t = Cli.run("sql", db, "SELECT function, function_offset FROM blocks WHERE function_offset > 0 ORDER BY segment_id, seq LIMIT 1", "-f", "table");
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().lines().skip(2).findFirst().orElseThrow().matches("\\w+ +\\| +\\+0x[0-9a-f]+"), t.out());
  }

  @Test
  void severalStatementsPrintEachResult() {
    Cli t = Cli.run("sql", db, "SELECT 1 AS a; SELECT 'x;y' AS b;", "-f", "csv");
    assertEquals("a\n1\nb\nx;y\n", t.out());
  }

  @Test
  void aQueryMayStartWithAnSqlComment() {
    // "-- ..." looks like an option to a command-line parser; for sql it is the query.
    Cli t = Cli.run("sql", db, "-- how many segments\nSELECT count(*) AS n FROM segments", "-f", "csv");
    assertEquals(0, t.exit(), t.err());
    assertEquals("n\n7\n", t.out());
    assertEquals(2, Cli.run("sql", db, "--no-such-option").exit(), "a real unknown option is still refused");
  }

  @Test
  void badSqlPrintsDuckDbsMessageAndExits1() {
    Cli t = Cli.run("sql", db, "SELECT nope FROM segments");
    assertEquals(1, t.exit());
    assertTrue(t.err().startsWith("iptq: Binder Error: Referenced column \"nope\" not found"), t.err());
    assertEquals("", t.out());
  }

  @Test
  void notAnIptqDatabase() throws Exception {
    Path other = dir.resolve("other.duckdb");
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + other); var st = c.createStatement()) {
      st.execute("CREATE TABLE t (a INT)");
    }
    Cli t = Cli.run("sql", other.toString(), "SELECT 1");
    assertEquals(1, t.exit());
    assertTrue(t.err().contains("not one iptq wrote"), t.err());
    assertEquals(1, Cli.run("sql", dir.resolve("missing.duckdb").toString(), "SELECT 1").exit());
  }

  @Test
  void shellRunsMultiLineStatementsAndDotCommands() throws Exception {
    Path script = dir.resolve("script.sql");
    Files.writeString(script, "SELECT count(*) AS n FROM blocks;\n-- a comment\nSELECT 'it''s' AS s;\n");
    String input = String.join("\n",
        "SELECT segment_id,",
        "       decode_status",
        "FROM segments WHERE segment_id = 4;",
        ".mode json",
        "SELECT 1 AS one; SELECT 2",
        "  AS two;",
        ".mode tsv",
        ".read " + script,
        ".mode csv",
        "SELECT 3 AS three;",
        ".quit",
        "SELECT 'not reached';",
        "");
    Cli t = Cli.withInput(input, "sql", db);
    assertEquals(0, t.exit(), t.err());
    assertEquals(String.join("\n",
        "segment_id,decode_status",
        "4,errors",
        "[",
        "\t{\"one\":1}",
        "]",
        "[",
        "\t{\"two\":2}",
        "]",
        "n",
        "38",
        "s",
        "it's",
        "three",
        "3",
        ""), t.out());
    assertEquals("", t.err());
  }

  @Test
  void shellHelpListsExitAndTheRowNoteNamesTheShellsOwnCommand() {
    Cli help = Cli.withInput(".help\n", "sql", db);
    assertTrue(help.out().contains("  .quit, .exit "), help.out());
    Cli many = Cli.withInput("SELECT * FROM range(1500);\n", "sql", db, "--format", "table");
    assertTrue(many.out().contains("... 500 more rows (1500 in all; use .mode csv or LIMIT for the rest)"), many.out());
    Cli once = Cli.run("sql", db, "SELECT * FROM range(1500)", "--format", "table");
    assertTrue(once.out().contains("(1500 in all; use --format csv or LIMIT for the rest)"), once.out());
  }

  @Test
  void shellTablesAndSchema() {
    Cli t = Cli.withInput(".tables\n.schema decode_errors\n.schema nosuch\n", "sql", db);
    assertTrue(t.out().contains("branches"), t.out());
    assertTrue(t.out().contains("segment_summary | view"), t.out());
    assertTrue(t.out().contains("CREATE TABLE decode_errors("), t.out());
    assertTrue(t.out().contains("skipped_bytes | BIGINT  | Bytes skipped to reach the next PSB (or the end)."), t.out());
    assertTrue(t.err().contains("no table or view called nosuch"), t.err());
    assertEquals(1, t.exit()); // a failed command in a piped script fails the run
  }

  @Test
  void shellKeepsGoingAfterAnErrorAndRunsAnUnterminatedLastStatement() {
    Cli t = Cli.withInput("SELECT nope;\nSELECT 5 AS five\n", "sql", db, "--format", "csv");
    assertTrue(t.err().contains("Error: Binder Error"), t.err());
    assertEquals("five\n5\n", t.out());
    assertEquals(1, t.exit());
  }
}
