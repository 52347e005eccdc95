package iptq.bench;

import iptq.pt.Packet;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.pt.RawTrace;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packet-decoder throughput, iptq against libipt, in one run on one trace.
 *
 * <p>Generates (reproducibly, seed 42) a trace of at least SIZE MiB with a realistic packet mix —
 * mostly TNT and compressed TIPs, some FUP/TIP.PGE/TIP.PGD, CYC and MTC timing, a PSB+ (FUP,
 * MODE.Exec, TSC, TMA, CBR) every 4 KiB — then decodes it RUNS times with iptq's decoder (through
 * the memory-mapped {@link RawTrace}) and with libipt's ({@code target/c/ptdump_bench}, which
 * times only its decode loop, not process start or file reading), taking turns run by run, and
 * prints the best MB/s of each, by wall time and by thread CPU time (steadier on a busy machine),
 * and their ratios.
 *
 * <p>Usage: {@code PacketBench [SIZE_MIB=256] [RUNS=5] [FILE=/tmp/iptq-bench-packets.pt]}; run by
 * {@code bench/pt-packets}.
 */
public final class PacketBench {
  public static void main(String[] args) throws Exception {
    long sizeMiB = args.length > 0 ? Long.parseLong(args[0]) : 256;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path file = Path.of(args.length > 2 ? args[2] : "/tmp/iptq-bench-packets.pt");
    Path libipt = Path.of("target/c/ptdump_bench");

    long t0 = System.nanoTime();
    long packets = generate(file, sizeMiB << 20);
    long size = Files.size(file);
    System.out.printf("trace: %s, %d bytes, %d packets (generated in %.1f s)%n", file, size, packets,
        (System.nanoTime() - t0) / 1e9);

    // iptq and libipt take turns, round by round, so that a change in machine load hits both.
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    decode(file); // warm up the JIT
    long[] iptqWall = new long[runs], iptqCpu = new long[runs];
    List<long[]> theirs = new ArrayList<>();
    long iptqPackets = 0, libiptPackets = -1;
    Pattern result = Pattern.compile("packets (\\d+) errors (\\d+) ns (\\d+) cpu (\\d+)");
    for (int r = 0; r < runs; r++) {
      long c = mx.getCurrentThreadCpuTime();
      long s = System.nanoTime();
      long[] counts = decode(file);
      iptqWall[r] = System.nanoTime() - s;
      iptqCpu[r] = mx.getCurrentThreadCpuTime() - c;
      iptqPackets = counts[0];
      if (counts[1] != 0) System.out.println("iptq: " + counts[1] + " decode errors");

      String out = run(List.of(libipt.toString(), file.toString(), "1"));
      Matcher m = result.matcher(out);
      if (!m.find()) throw new IllegalStateException("no result from " + libipt + ":\n" + out);
      libiptPackets = Long.parseLong(m.group(1));
      theirs.add(new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
    }
    if (libiptPackets != iptqPackets || iptqPackets != packets)
      throw new IllegalStateException("packet counts differ: generated " + packets + ", iptq "
          + iptqPackets + ", libipt " + libiptPackets);
    long[] libWall = theirs.stream().mapToLong(x -> x[0]).toArray();
    long[] libCpu = theirs.stream().mapToLong(x -> x[1]).toArray();

    double wallRatio = report("wall", size, iptqPackets, iptqWall, libWall);
    double cpuRatio = report("cpu ", size, iptqPackets, iptqCpu, libCpu);
    System.out.printf("ratio iptq/libipt: %.2fx by thread CPU time, %.2fx by wall time (load average %.1f on %d cores)%n",
        cpuRatio, wallRatio, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
  }

  /** Prints best-of-runs MB/s for both; returns the iptq/libipt throughput ratio. */
  private static double report(String what, long size, long packets, long[] iptq, long[] libipt) {
    long bi = Arrays.stream(iptq).min().getAsLong(), bl = Arrays.stream(libipt).min().getAsLong();
    double mi = size / (bi / 1e9) / 1e6, ml = size / (bl / 1e9) / 1e6;
    System.out.printf("%s  iptq  : %8.1f MB/s %6.1f Mpackets/s (best of %d, runs %s ms)%n", what, mi,
        packets / (bi / 1e3), iptq.length, ms(iptq));
    System.out.printf("%s  libipt: %8.1f MB/s %6.1f Mpackets/s (best of %d, runs %s ms)%n", what, ml,
        packets / (bl / 1e3), libipt.length, ms(libipt));
    return mi / ml;
  }

  private static String ms(long[] ns) {
    StringBuilder sb = new StringBuilder();
    for (long n : ns) sb.append(sb.length() == 0 ? "" : " ").append(n / 1_000_000);
    return sb.toString();
  }

  /** Decodes the whole file; returns {packets, errors, checksum}. */
  static long[] decode(Path file) throws IOException {
    long n = 0, errors = 0, sum = 0;
    try (RawTrace raw = RawTrace.open(file)) {
      PacketDecoder d = raw.decoder();
      Packet p = new Packet();
      for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
        if (s == PacketDecoder.Status.OK) {
          n++;
          sum += p.kind.ordinal() + p.size;
        } else errors++;
      }
    }
    return new long[] {n, errors, sum};
  }

  /** Writes the benchmark trace; returns the number of packets. */
  static long generate(Path file, long minBytes) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    PacketEncoder e = new PacketEncoder();
    long packets = 0;
    long ip = 0xfffff80012340000L;
    long tsc = 0x1000000;
    long nextPsb = 0;
    int ctc = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (e.offset() < minBytes) {
        if (e.offset() >= nextPsb) {
          nextPsb = e.offset() + 4096;
          tsc += 20000 + rnd.nextInt(1000);
          e.psb().ip(PacketKind.FUP, ip).modeExec(1).tsc(tsc).tma(ctc & 0xffff, rnd.nextInt(0x200)).cbr(28).psbend();
          packets += 7;
        }
        int r = rnd.nextInt(100);
        if (r < 50) e.tnt8(1 + rnd.nextInt(6), rnd.nextLong());
        else if (r < 55) e.tnt64(7 + rnd.nextInt(41), rnd.nextLong());
        else if (r < 75) {
          ip = near(rnd, ip);
          e.ip(PacketKind.TIP, ip);
        } else if (r < 78) {
          ip = near(rnd, ip);
          e.ip(PacketKind.FUP, ip);
        } else if (r < 79) {
          e.ip(PacketKind.TIP_PGD, ip);
        } else if (r < 80) {
          ip = near(rnd, ip);
          e.ip(PacketKind.TIP_PGE, ip);
        } else if (r < 90) e.cyc(rnd.nextInt(1 << (5 + 7 * rnd.nextInt(3))));
        else if (r < 96) {
          ctc += 8;
          e.mtc(ctc >>> 3);
        } else if (r < 97) e.pad();
        else if (r < 98) e.modeExec(1);
        else if (r < 99) e.ip(PacketKind.TIP, 0, 0);
        else e.ptw(rnd.nextLong(), true, false);
        packets++;
        if (e.buffered() >= 1 << 20) e.drainTo(out);
      }
      e.drainTo(out);
    }
    return packets;
  }

  /** The next IP: mostly in the same 64 KiB or 4 GiB as the last one, sometimes far away. */
  private static long near(SplittableRandom rnd, long ip) {
    int r = rnd.nextInt(100);
    if (r < 70) return (ip & ~0xffffL) | rnd.nextInt(0x10000);
    if (r < 90) return (ip & ~0xffffffffL) | (rnd.nextLong() & 0xffffffffL);
    if (r < 98) return 0xfffff80000000000L | (rnd.nextLong() & 0xffffffffffL);
    return 0x00007ff000000000L | (rnd.nextLong() & 0xfffffffffL);
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException(cmd + " failed:\n" + out);
    return out;
  }
}
