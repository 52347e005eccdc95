package iptq.bench;

import iptq.flow.FlowDecoder;
import iptq.flow.FlowSink;
import iptq.flow.FlowTestAccess;
import iptq.image.CodeImage;
import iptq.pt.RawTrace;
import iptq.testing.Libipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The flow decoder's throughput against libipt's block and instruction decoders, on one large
 * synthesized trace over real code, in the same run. Both sides measure the thread CPU time of
 * the decode loop only (libipt's harness with the image and trace already loaded; iptq with the
 * trace memory-mapped, JIT warmed by the earlier passes, which are reported as well), so that a
 * machine busy with other work distorts neither; rounds alternate the two and each side keeps
 * its fastest pass.
 *
 * <p>How much code the trace walks decides much of the speed: past the processor's caches each
 * block is a wait on memory. {@code --hot N} sets the functions per module that indirect
 * branches go to (default 300: over 100 K distinct blocks, about 7 MB of them).
 *
 * <pre>bench/flow [INSTRUCTIONS] [--hot N] [--synth-only]   (default 100 million, 300)</pre>
 */
public final class FlowBench {
  private static final int ROUNDS = 4;
  private static final int DEFAULT_HOT = 300;

  private FlowBench() {}

  /** Counts what a table writer would receive, so the sink calls are not optimised away. */
  static final class CountingSink implements FlowSink {
    long blocks, insns, branches, events, errors, xor;

    @Override
    public void block(long seq, long startIp, long endIp, int n, long ts) {
      blocks++;
      insns += n;
      xor ^= startIp;
    }

    @Override
    public void branch(long seq, long fromIp, long toIp, iptq.flow.BranchKind kind, boolean taken, long ts) {
      branches++;
      xor ^= toIp;
    }

    @Override
    public void event(long seq, iptq.flow.FlowEventKind kind, long ip, long payload, long ts) {
      events++;
    }

    @Override
    public void error(long offset, long ip, String kind, String message, long skippedBytes) {
      errors++;
    }
  }

  public static void main(String[] args) throws Exception {
    long n = 100_000_000L;
    int hot = DEFAULT_HOT;
    boolean synthOnly = false;
    boolean kit = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--hot" -> hot = Integer.parseInt(args[++i]);
        case "--synth-only" -> synthOnly = true;
        case "--libipt" -> kit = args[++i].equals("2.2"); // 2.2: the kit in ../shared; else Debian's 2.0.5
        default -> n = Long.parseLong(args[i].replace("_", ""));
      }
    }
    Path dir = Path.of("target/bench");
    Files.createDirectories(dir);
    Path trace = dir.resolve("flow-" + n + (hot == DEFAULT_HOT ? "" : "-hot" + hot) + ".pt");
    List<String> specs = FlowTestAccess.benchSpecs();
    if (!Files.isRegularFile(trace)) { // deterministic (fixed seed), so a trace made before is the same
      long t0 = System.nanoTime();
      Path tmp = dir.resolve(trace.getFileName() + ".tmp");
      FlowTestAccess.writeBenchTrace(tmp, n, 42, hot);
      Files.move(tmp, trace, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      System.out.printf("synthesized %,d instructions over real code in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    }
    System.out.printf("trace %s: %,d bytes, %,d instructions%n", trace, Files.size(trace), n);
    if (synthOnly) return;
    CodeImage image = FlowTestAccess.benchImage();

    // Rounds alternate iptq and libipt so that a burst of load on the machine hits both sides;
    // each side keeps its fastest pass, every pass starting with a cold block cache.
    double best = 0, blk = 0, insn = 0;
    CountingSink sink = null;
    Runtime rt = Runtime.getRuntime();
    Path harness = kit ? Libipt.kitHarness("ptxed_harness") : Libipt.harness("ptxed_harness");
    System.out.println("libipt " + (kit ? "2.2 (kit)" : "2.0.5 (Debian)"));
    for (int round = 1; round <= ROUNDS; round++) {
      for (int pass = 1; pass <= 2; pass++) {
        sink = new CountingSink();
        try (RawTrace raw = RawTrace.open(trace)) {
          FlowDecoder d = new FlowDecoder(raw.decoder(), image, sink);
          var mx = java.lang.management.ManagementFactory.getThreadMXBean();
          long s = mx.getCurrentThreadCpuTime();
          d.decode();
          double sec = (mx.getCurrentThreadCpuTime() - s) / 1e9;
          rt.gc();
          long used = rt.totalMemory() - rt.freeMemory();
          System.out.printf("iptq        round %d pass %d: %,d instructions, %,d blocks, %,d errors in %.3f s = %,.0f insns/s"
              + " (heap after %,d MiB, %,d cached blocks)%n",
              round, pass, sink.insns, sink.blocks, sink.errors, sec, sink.insns / sec, used >> 20, d.cachedBlocks());
          best = Math.max(best, sink.insns / sec);
        }
      }
      blk = Math.max(blk, libipt(harness, "blk", 2, specs, trace, sink.insns));
    }
    insn = libipt(harness, "insn", 2, specs, trace, sink.insns);
    System.out.printf("%niptq (best pass)         %,15.0f insns/s%n", best);
    System.out.printf("libipt block decoder     %,15.0f insns/s   iptq/libipt-blk  = %.2fx%n", blk, best / blk);
    System.out.printf("libipt insn decoder      %,15.0f insns/s   iptq/libipt-insn = %.2fx%n", insn, best / insn);
  }

  private static double libipt(Path harness, String mode, int repeat, List<String> specs, Path trace, long expect) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(harness.toString(), "--bench", mode, "--repeat", String.valueOf(repeat)));
    for (String s : specs) {
      cmd.add("--raw");
      cmd.add(s);
    }
    cmd.add(trace.toString());
    String out = Libipt.run(cmd).strip();
    String last = out.substring(out.lastIndexOf('\n') + 1);
    String[] f = last.split(" ");
    long insns = Long.parseLong(f[3]);
    double sec = Double.parseDouble(f[9]);
    String blocks = mode.equals("blk") ? String.format(", %,d blocks", Long.parseLong(f[5])) : "";
    System.out.printf("libipt %-4s (best of %d): %,d instructions%s, %s errors in %.3f s = %,.0f insns/s%s%n", mode, repeat, insns, blocks, f[7], sec,
        insns / sec, insns == expect ? "" : "  (iptq counted " + expect + ")");
    return insns / sec;
  }
}
