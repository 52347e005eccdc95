package iptq.bench;

import iptq.ingest.Ingest;
import iptq.ingest.IngestOptions;
import iptq.ingest.Progress;
import iptq.ingest.TimeBase;
import iptq.store.Store;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whole-ingest benchmark on the sample's Windows session: {@code iptq sample --events N} (made
 * once into {@code target/bench/sample-N}), then its {@code kernel-syscall.etl} with its dumps
 * and the sample's PE files and PDBs, three ways in turn, run after run:
 *
 * <ol>
 *   <li>the real {@code iptq ingest} as a child process (the launcher, JVM start included): wall
 *       and CPU time and peak RSS (VmHWM), by {@code /usr/bin/time} when present, else by
 *       reading {@code /proc/PID/status} while it runs;
 *   <li>decoding only, in this JVM: every segment decoded and its table batches made, none
 *       given to DuckDB, so that the loading share is visible;
 *   <li>the same ingest in this JVM (warm): decoding and loading, no JVM start.
 * </ol>
 *
 * Then rows and rows per second per table, and the database's bytes per branch row.
 *
 * <p>Usage: {@code IngestBench [EVENTS=2000[,20000...]] [RUNS=2]}.
 */
public final class IngestBench {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final Path BENCH = PROJECT.resolve("target/bench");

  public static void main(String[] args) throws Exception {
    String[] sessions = (args.length > 0 ? args[0] : "2000").split(",");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    System.out.printf("machine: %d cores; load average %s%n", Runtime.getRuntime().availableProcessors(), load());
    for (String s : sessions) bench(Integer.parseInt(s.trim()), runs);
    System.out.printf("load average at the end %s%n", load());
  }

  private static void bench(int events, int runs) throws Exception {
    Path dir = sample(events);
    Path etl = dir.resolve("kernel-syscall.etl");
    System.out.printf("%nsession: iptq sample --events %d; ingest of %s (%,d bytes) with its dumps, PE files and PDBs%n",
        events, PROJECT.relativize(etl), Files.size(etl));
    for (int run = 1; run <= runs; run++) {
      // 1. the whole process
      Path childDb = BENCH.resolve("ingest-" + events + ".duckdb");
      Child child = child(dir, childDb);
      Map<String, Long> rows = rows(childDb);
      long branches = rows.getOrDefault("branches", 0L);
      long size = Files.size(childDb);
      System.out.printf("run %d, iptq ingest (child process, JVM start included): %.2f s wall, %.2f s CPU, peak RSS %d MiB;"
          + " %.2f M branch rows/s; database %.1f MB, %.1f bytes per branch row%n", run, child.wall, child.cpu,
          child.peakKiB >> 10, branches / child.wall / 1e6, size / 1e6, (double) size / branches);
      // 2. decoding only
      Map<String, AtomicLong> made = new ConcurrentHashMap<>();
      Timed decode = timed(() -> new Ingest(options(dir, BENCH.resolve("unused.duckdb")), Progress.silent())
          .decodeOnly((table, batch, from) -> made.computeIfAbsent(table, t -> new AtomicLong()).addAndGet(batch.getRowCount())));
      long madeBranches = made.getOrDefault("branch_rows", new AtomicLong()).get();
      System.out.printf("run %d, decoding only (this JVM, rows made, none loaded): %.2f s wall, %.2f s CPU; %.2f M branch rows/s%n",
          run, decode.wall, decode.cpu, madeBranches / decode.wall / 1e6);
      // 3. the same ingest, warm
      Path warmDb = BENCH.resolve("ingest-" + events + "-warm.duckdb");
      Timed warm = timed(() -> new Ingest(options(dir, warmDb), Progress.silent()).run());
      System.out.printf("run %d, ingest in this JVM (decoding and loading, no JVM start): %.2f s wall, %.2f s CPU;"
          + " %.2f M branch rows/s; loading adds %.0f%% to decoding's wall time%n", run, warm.wall, warm.cpu,
          branches / warm.wall / 1e6, 100 * (warm.wall - decode.wall) / decode.wall);
      if (run == runs) {
        System.out.printf("  %-18s %12s %16s %16s%n", "table", "rows", "rows/s (child)", "rows/s (warm)");
        for (var e : rows.entrySet()) {
          if (e.getValue() == 0) continue;
          System.out.printf("  %-18s %,12d %14.2f M %14.2f M%n", e.getKey(), e.getValue(),
              e.getValue() / child.wall / 1e6, e.getValue() / warm.wall / 1e6);
        }
      }
      Files.deleteIfExists(warmDb);
    }
  }

  /** The sample session of {@code events} IPT events, made once. */
  private static Path sample(int events) throws Exception {
    Path dir = BENCH.resolve("sample-" + events);
    if (Files.exists(dir.resolve("kernel.dmp"))) return dir;
    Files.createDirectories(BENCH);
    Path tmp = BENCH.resolve("sample-" + events + ".tmp");
    Process p = new ProcessBuilder(PROJECT.resolve("iptq").toString(), "sample", "-o", tmp.toString(), "--events",
        Integer.toString(events)).inheritIO().start();
    if (p.waitFor() != 0) throw new IllegalStateException("iptq sample failed");
    Files.move(tmp, dir);
    return dir;
  }

  private static List<String> ingestArgs(Path dir, Path db) {
    Path bin = PROJECT.resolve("sample/bin");
    return List.of("ingest", dir.resolve("kernel-syscall.etl").toString(),
        "--dump", dir.resolve("kernel.dmp").toString(), "--dump", dir.resolve("kernel-syscall-sampapp.dmp").toString(),
        "--image-path", bin.toString(), "--symbols", bin.toString(), "-o", db.toString(), "--force");
  }

  private static IngestOptions options(Path dir, Path db) {
    Path bin = PROJECT.resolve("sample/bin");
    return new IngestOptions(List.of(dir.resolve("kernel-syscall.etl")), db, true, List.of(),
        List.of(dir.resolve("kernel.dmp"), dir.resolve("kernel-syscall-sampapp.dmp")), List.of(bin),
        List.of(bin.toString()), null, false, 0, null, true, TimeBase.UNKNOWN, true,
        iptq.symsrv.SymbolServer.Options.defaults().withOffline(true), false);
  }

  private record Child(double wall, double cpu, long peakKiB) {}

  /** The real {@code iptq ingest}, through the clone's launcher as a user runs it. */
  private static Child child(Path dir, Path db) throws Exception {
    List<String> cmd = new ArrayList<>();
    boolean time = Files.isExecutable(Path.of("/usr/bin/time"));
    if (time) cmd.addAll(List.of("/usr/bin/time", "-f", "IPTQ-BENCH %e %U %S %M"));
    cmd.add(PROJECT.resolve("iptq").toString());
    cmd.addAll(ingestArgs(dir, db));
    Path err = Files.createTempFile("iptq-ingest-bench", ".err");
    try {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(err.toFile()).start();
      long peak = 0;
      Path status = Path.of("/proc/" + p.pid() + "/status");
      while (!p.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        if (!time) peak = Math.max(peak, hwm(status));
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      String text = Files.readString(err);
      if (p.exitValue() != 0) throw new IllegalStateException("iptq ingest exited " + p.exitValue() + ":\n" + text);
      if (!time) return new Child(wall, Double.NaN, peak);
      String[] f = text.lines().filter(l -> l.startsWith("IPTQ-BENCH ")).reduce((a, b) -> b).orElseThrow().split(" ");
      return new Child(Double.parseDouble(f[1]), Double.parseDouble(f[2]) + Double.parseDouble(f[3]), Long.parseLong(f[4]));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static long hwm(Path status) {
    try {
      for (String l : Files.readAllLines(status)) {
        if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | RuntimeException gone) {
      // the process ended between two looks
    }
    return 0;
  }

  private record Timed(double wall, double cpu) {}

  private interface Body {
    void run() throws Exception;
  }

  private static Timed timed(Body body) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.gc();
    long t0 = System.nanoTime();
    long c0 = os.getProcessCpuTime();
    body.run();
    return new Timed((System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - c0) / 1e9);
  }

  /** Rows per user-facing table and view of the decode (as users name them). */
  private static Map<String, Long> rows(Path db) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = Store.open(db, true); Statement st = c.createStatement()) {
      for (String t : List.of("packets", "blocks", "branches", "function_runs", "flow_events", "places", "events", "segments")) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
          rs.next();
          out.put(t, rs.getLong(1));
        }
      }
    }
    return out;
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
