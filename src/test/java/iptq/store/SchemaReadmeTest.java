package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * schema/README.md documents every table, view and column, with an example row each. The
 * COMMENTs in schema/*.sql are the single source: the tables part of the README is generated
 * from them (and from a row of the known decode), and this test fails when the README differs
 * — a column added, renamed, dropped or re-commented without the README following. To
 * regenerate: {@code ./mvnw -o test -Dtest=SchemaReadmeTest -Diptq.updateSchemaReadme=true}.
 */
class SchemaReadmeTest {
  static final String BEGIN = "<!-- BEGIN GENERATED from the COMMENTs in schema/*.sql by SchemaReadmeTest; do not edit by hand -->";
  static final String END = "<!-- END GENERATED -->";

  @Test
  void readmeDocumentsEveryColumnAsTheDdlDoes() throws Exception {
    Path readme = project().resolve("schema/README.md");
    String text = Files.readString(readme);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    assertTrue(b >= 0 && e > b, "schema/README.md lacks the generated-part markers");
    String generated;
    try (Connection c = Store.open(KnownTrace.shared(), true)) {
      generated = generate(c);
    }
    String want = text.substring(0, b + BEGIN.length()) + "\n" + generated + text.substring(e);
    if (Boolean.getBoolean("iptq.updateSchemaReadme")) {
      Files.writeString(readme, want);
      return;
    }
    assertEquals(want, text, "schema/README.md is out of date with schema/*.sql; regenerate it (see this test's javadoc)");
  }

  @Test
  void everyColumnHasAComment() throws Exception {
    try (Connection c = Store.open(KnownTrace.shared(), true)) {
      assertEquals(java.util.List.of(), Rows.of(c, "SELECT table_name || '.' || column_name FROM duckdb_columns()"
          + " WHERE NOT internal AND schema_name = 'main' AND (comment IS NULL OR comment = '')"));
      assertEquals(java.util.List.of(), Rows.of(c, "SELECT table_name FROM duckdb_tables() WHERE NOT internal"
          + " AND (comment IS NULL OR comment = '') UNION ALL SELECT view_name FROM duckdb_views()"
          + " WHERE NOT internal AND (comment IS NULL OR comment = '')"));
    }
  }

  static Path project() {
    String p = System.getenv("IPTQ_PROJECT_DIR");
    return Path.of(p == null ? "." : p);
  }

  // (examples: the last row in sort order, so that meta shows schema_version, not the creation time)
  /** One section per table and view, in schema order: its comment, then its columns with an example value. */
  static String generate(Connection c) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_name, 'table', comment, table_oid FROM duckdb_tables() WHERE NOT internal"
            + " UNION ALL SELECT view_name, 'view', comment, view_oid FROM duckdb_views() WHERE NOT internal ORDER BY 4")) {
      while (rs.next()) section(c, rs.getString(1), rs.getString(2), rs.getString(3), sb);
    }
    return sb.toString();
  }

  private static void section(Connection c, String name, String kind, String comment, StringBuilder sb) throws Exception {
    sb.append("\n### `").append(name).append("` (").append(kind).append(")\n\n").append(comment).append("\n\n");
    String[] example;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM \"" + name + "\" ORDER BY ALL DESC LIMIT 1")) {
      ResultSetMetaData md = rs.getMetaData();
      example = new String[md.getColumnCount()];
      boolean any = rs.next();
      for (int i = 0; i < example.length; i++) {
        if (!any) {
          example[i] = "";
          continue;
        }
        Object o = rs.getObject(i + 1);
        String type = md.getColumnTypeName(i + 1);
        if (o == null) example[i] = "NULL";
        else if (ResultPrinter.isAddress(md.getColumnLabel(i + 1), type))
          example[i] = "0x" + new java.math.BigInteger(o.toString()).toString(16);
        else example[i] = rs.getString(i + 1);
      }
    }
    sb.append("| column | type | meaning | example |\n|---|---|---|---|\n");
    try (PreparedStatement ps = c.prepareStatement(SqlResource.read("sql/columns-of.sql"))) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        int i = 0;
        while (rs.next()) {
          sb.append("| `").append(rs.getString(1)).append("` | ").append(rs.getString(2)).append(" | ")
              .append(cell(rs.getString(3), Integer.MAX_VALUE)).append(" | ").append(cell(example[i++], 60)).append(" |\n");
        }
      }
    }
  }

  private static String cell(String s, int max) {
    if (s == null) return "";
    if (s.length() > max) s = s.substring(0, max - 3) + "...";
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
