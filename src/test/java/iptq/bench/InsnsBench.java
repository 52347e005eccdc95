package iptq.bench;

import iptq.flow.FlowTestAccess;
import iptq.testing.LibiptKit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code iptq insns --ip-only} against libipt 2.2's {@code ptxed --no-inst} printing the same
 * listing, whole process against whole process: JVM start, argument parsing, mapping the code
 * and the trace, decoding and writing every line. Both get the same {@code --raw} sections and
 * {@code --pt} trace (the flow bench's 20-million-instruction trace over real code) and write to
 * the same place, a file or {@code /dev/null}; runs alternate the commands so that a change in
 * machine load hits each alike. Each process is timed by its wall clock and by its CPU time (user +
 * system, all threads, from {@code /usr/bin/time}); the first round also compares the listings.
 *
 * <pre>bench/insns [INSTRUCTIONS=20000000] [--runs N=5] [--out FILE|/dev/null] [--block]
 *   [--iptq 'COMMAND …'] (default: the clone's ./iptq launcher)</pre>
 *
 * <p>{@code --block} adds ptxed's default block decoder, which with {@code --no-inst} takes several
 * times as long as its instruction decoder on this trace.
 */
public final class InsnsBench {
  private InsnsBench() {}

  record Side(String name, List<String> cmd, List<Long> wall, List<Long> cpu) {
    Side(String name, List<String> cmd) {
      this(name, cmd, new ArrayList<>(), new ArrayList<>());
    }
  }

  public static void main(String[] args) throws Exception {
    long n = 20_000_000L;
    int runs = 5;
    String out = "/dev/null";
    List<String> iptq = List.of("./iptq");
    boolean block = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--out" -> out = args[++i];
        case "--iptq" -> iptq = List.of(args[++i].split(" "));
        case "--block" -> block = true;
        default -> n = Long.parseLong(args[i].replace("_", ""));
      }
    }
    Path trace = Path.of("target/bench/flow-" + n + ".pt");
    if (!Files.isRegularFile(trace)) {
      Files.createDirectories(trace.getParent());
      Path tmp = trace.resolveSibling(trace.getFileName() + ".tmp");
      FlowTestAccess.writeBenchTrace(tmp, n, 42, 300);
      Files.move(tmp, trace, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> code = new ArrayList<>();
    for (String spec : FlowTestAccess.benchSpecs()) code.addAll(List.of("--raw", ptxedRaw(spec)));
    code.addAll(List.of("--pt", trace.toString()));

    List<Side> sides = new ArrayList<>();
    List<String> mine = new ArrayList<>(iptq);
    mine.addAll(List.of("insns", "--ip-only"));
    mine.addAll(code);
    sides.add(new Side("iptq insns --ip-only", mine));
    String ptxed = LibiptKit.ptxed().toString();
    List<String> insn = new ArrayList<>(List.of(ptxed, "--insn-decoder", "--no-inst"));
    insn.addAll(code);
    sides.add(new Side("ptxed --insn-decoder --no-inst", insn));
    if (block) { // ptxed's default, several times slower here than its instruction decoder
      List<String> blk = new ArrayList<>(List.of(ptxed, "--no-inst"));
      blk.addAll(code);
      sides.add(new Side("ptxed --no-inst (block decoder)", blk));
    }

    System.out.printf("trace %s: %,d bytes, %,d instructions; output to %s; load average %.1f on %d cores%n", trace,
        Files.size(trace), n, out, load(), Runtime.getRuntime().availableProcessors());
    compare(sides);
    for (int r = 0; r < runs; r++) {
      for (Side s : sides) {
        long[] t = time(s.cmd(), Path.of(out));
        s.wall().add(t[0]);
        s.cpu().add(t[1]);
      }
    }
    for (Side s : sides) {
      System.out.printf("%-34s wall best %5d ms, median %5d ms; CPU best %5d ms, median %5d ms  (wall %s)%n", s.name(),
          best(s.wall()), median(s.wall()), best(s.cpu()), median(s.cpu()), s.wall());
    }
    Side me = sides.get(0);
    for (Side s : sides.subList(1, sides.size())) {
      System.out.printf("%s / iptq: %.2fx by best wall, %.2fx by median wall, %.2fx by best CPU%n", s.name(),
          (double) best(s.wall()) / best(me.wall()), (double) median(s.wall()) / median(me.wall()),
          (double) best(s.cpu()) / best(me.cpu()));
    }
    System.out.printf("load average at the end %.1f%n", load());
  }

  /** FILE@ADDR@OFFSET@SIZE as ptxed's --raw FILE:FROM-TO:BASE. */
  static String ptxedRaw(String spec) {
    String[] f = spec.split("@");
    String base = f[1];
    if (f.length < 4) return f[0] + ":" + base;
    long off = Long.decode(f[2]), size = Long.decode(f[3]);
    return f[0] + ":0x" + Long.toHexString(off) + "-0x" + Long.toHexString(off + size) + ":" + base;
  }

  /** Runs each side once into a file and says whether the listings are the same, and where not. */
  private static void compare(List<Side> sides) throws Exception {
    List<Path> files = new ArrayList<>();
    for (Side s : sides) {
      Path f = Files.createTempFile("iptq-insns-bench", ".out");
      time(s.cmd(), f);
      files.add(f);
    }
    for (int i = 1; i < sides.size(); i++) {
      System.out.printf("listing of %s vs %s: %s%n", sides.get(0).name(), sides.get(i).name(), difference(files.get(0), files.get(i)));
    }
    for (Path f : files) Files.delete(f);
  }

  /** "identical (N lines)", or the first differing line and the line counts. */
  private static String difference(Path a, Path b) throws IOException {
    try (InputStream x = new java.io.BufferedInputStream(Files.newInputStream(a), 1 << 20);
        InputStream y = new java.io.BufferedInputStream(Files.newInputStream(b), 1 << 20)) {
      long line = 1, firstDiff = -1, la = 0, lb = 0;
      for (;;) {
        int cx = x.read(), cy = y.read();
        if (cx == '\n') la++;
        if (cy == '\n') lb++;
        if (cx != cy && firstDiff < 0) firstDiff = line;
        if (cx == -1 && cy == -1) break;
        if (cx == '\n' && firstDiff < 0) line++;
      }
      return firstDiff < 0 ? "identical (" + la + " lines)"
          : "differ from line " + firstDiff + " (" + la + " lines against " + lb + ")";
    }
  }

  /** Runs cmd with standard output to {@code out}; returns {wall ms, CPU ms}. */
  private static long[] time(List<String> cmd, Path out) throws Exception {
    Path t = Files.createTempFile("iptq-insns-bench", ".time");
    List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-q", "-f", "%U %S", "-o", t.toString()));
    full.addAll(cmd);
    ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    long s = System.nanoTime();
    Process p = pb.start();
    int rc = p.waitFor();
    long wall = (System.nanoTime() - s) / 1_000_000;
    String[] f = Files.readString(t).strip().split("\\s+");
    Files.delete(t);
    if (rc != 0 && rc != 1) throw new IllegalStateException("exit " + rc + ": " + String.join(" ", cmd));
    long cpu = Math.round((Double.parseDouble(f[f.length - 2]) + Double.parseDouble(f[f.length - 1])) * 1000);
    return new long[] {wall, cpu};
  }

  private static long best(List<Long> v) {
    return v.stream().mapToLong(Long::longValue).min().orElse(0);
  }

  private static long median(List<Long> v) {
    long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
    return a.length == 0 ? 0 : a[a.length / 2];
  }

  private static double load() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
