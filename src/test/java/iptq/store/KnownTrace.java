package iptq.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Builds the test database: the real schema through {@link Store#create}, filled with the known
 * decode of {@code known-trace.sql} (test resources).
 */
public final class KnownTrace {
  private KnownTrace() {}

  private static Path shared;

  /**
   * One database for the whole test run (built on first use, in a temporary directory removed
   * when the JVM exits); tests open it read-only.
   */
  public static synchronized Path shared() throws IOException, SQLException {
    if (shared == null) {
      Path dir = java.nio.file.Files.createTempDirectory("iptq-known");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var files = java.nio.file.Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a temporary directory; nothing else to do
        }
      }));
      shared = build(dir);
    }
    return shared;
  }

  public static Path build(Path dir) throws IOException, SQLException {
    Path db = dir.resolve("known.duckdb");
    try (Store store = Store.create(db, true)) {
      try (Statement st = store.connection().createStatement()) {
        st.execute(resource("/iptq/store/wide-tables.sql"));
        st.execute(sql());
        st.execute(resource("/iptq/store/narrow.sql"));
      }
      deriveFunctionRuns(store.connection());
      store.commit();
    }
    return db;
  }

  static String sql() throws IOException {
    return resource("/iptq/store/known-trace.sql");
  }

  /**
   * Fills function_runs from the blocks table with SQL, as the flow decoder's sink would have
   * while writing them: for databases built from SQL, and as the oracle the sink is checked against.
   */
  public static void deriveFunctionRuns(java.sql.Connection conn) throws IOException, SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute(resource("/iptq/store/function-runs-from-blocks.sql"));
    }
  }

  /**
   * Runs {@code rows} (SQL inserting into blocks_in and branches_in, tables with the columns of
   * the blocks and branches views) and stores what it inserted as ingest does.
   */
  public static void insertWide(java.sql.Connection conn, String rows) throws IOException, SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute(resource("/iptq/store/wide-tables.sql"));
      st.execute(rows);
      st.execute(resource("/iptq/store/narrow.sql"));
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = KnownTrace.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
