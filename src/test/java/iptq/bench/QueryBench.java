package iptq.bench;

import iptq.store.KnownTrace;
import iptq.store.Report;
import iptq.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/**
 * Query-speed benchmark: generates a synthetic decode of at least 50 million branch rows (and
 * as many blocks) inside DuckDB, then times the canned reports functions-before,
 * hot-functions and hot-blocks over all of it, as {@code iptq report} runs them (read-only connection,
 * parameters bound, every result row fetched).
 *
 * <p>Usage: {@code QueryBench [DB=/tmp/iptq-bench-query.duckdb] [SEGMENTS=20000]
 * [BLOCKS_PER_SEGMENT=2501] [RUNS=3]}; an existing DB of the same size is reused.
 */
public final class QueryBench {
  public static void main(String[] args) throws Exception {
    Path db = Path.of(args.length > 0 ? args[0] : "/tmp/iptq-bench-query.duckdb");
    long segments = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
    long perSegment = args.length > 2 ? Long.parseLong(args[2]) : 2_501;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;

    if (!matches(db, segments * (perSegment - 1))) generate(db, segments, perSegment);
    try (Connection c = Store.open(db, true); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM branches), (SELECT count(*) FROM blocks),"
          + " (SELECT count(*) FROM segments)");
      rs.next();
      System.out.printf("database %s: %,d branches, %,d blocks, %,d segments, %.2f GiB%n", db,
          rs.getLong(1), rs.getLong(2), rs.getLong(3), Files.size(db) / (1024.0 * 1024 * 1024));
      System.out.printf("machine: %d cores available to the JVM, DuckDB threads = %s%n",
          Runtime.getRuntime().availableProcessors(), scalar(c, "SELECT current_setting('threads')"));
    }
    time(db, "functions-before", Map.of(), runs);
    time(db, "hot-functions", Map.of(), runs);
    time(db, "hot-functions", Map.of("by", "visits", "limit", "0"), runs);
    time(db, "hot-blocks", Map.of(), runs);
    // every visit of every segment: tens of millions of rows, mostly the cost of fetching them
    time(db, "functions-before", Map.of("last", "0"), 1);
  }

  private static boolean matches(Path db, long branches) {
    if (!Files.exists(db)) return false;
    try (Connection c = Store.open(db, true)) {
      return Long.parseLong(scalar(c, "SELECT count(*) FROM branches")) == branches;
    } catch (Exception e) {
      return false;
    }
  }

  private static void generate(Path db, long segments, long perSegment) throws Exception {
    long t0 = System.nanoTime();
    try (Store store = Store.create(db, true)) {
      Connection c = store.connection();
      // An ingest's DuckDB gets a small share of memory (MemoryBudget); generating and deriving
      // 100 million rows with window functions here needs more
      try (Statement st = c.createStatement()) {
        st.execute("SET memory_limit = '4GB'");
      }
      for (Map.Entry<String, Long> v : Map.of("segments", segments, "blocks_per_segment", perSegment).entrySet()) {
        try (PreparedStatement ps = c.prepareStatement("SET VARIABLE " + v.getKey() + " = ?")) {
          ps.setLong(1, v.getValue());
          ps.execute();
        }
      }
      try (Statement st = c.createStatement()) {
        st.execute(resource("/iptq/bench/synth-decode.sql"));
      }
      long t1 = System.nanoTime();
      KnownTrace.deriveFunctionRuns(c);
      System.out.printf("function_runs derived in %.1f s%n", (System.nanoTime() - t1) / 1e9);
      store.commit();
    }
    System.out.printf("generated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void time(Path db, String name, Map<String, String> params, int runs) throws Exception {
    Report r = Report.load(name);
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    for (int i = 1; i <= runs; i++) {
      long t0 = System.nanoTime();
      long cpu0 = os.getProcessCpuTime();
      long rows = 0;
      try (Connection c = Store.open(db, true)) {
        r.bind(c, params);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(r.sql())) {
          while (rs.next()) rows++;
        }
      }
      // CPU time of the whole process (DuckDB's threads included): on a shared machine the
      // wall time depends on the other jobs, the CPU time much less
      System.out.printf("%-18s %-28s run %d: %6.2f s wall, %6.2f s CPU, %,d rows%n", name, params, i,
          (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9, rows);
    }
  }

  private static String scalar(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = QueryBench.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
