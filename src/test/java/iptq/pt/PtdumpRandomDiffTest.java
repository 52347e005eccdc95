package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.LibiptKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PtdumpListing} against the kit's ptdump 2.2 on random streams (every packet kind, CFE,
 * EVD and TRIG included), intact and damaged (garbage inserted, header bits flipped, cut short),
 * with option sets that exercise every column and the time tracking with random timing
 * packets (so most of libipt's time error lines occur too): the listings must be identical.
 */
class PtdumpRandomDiffTest {
  @TempDir static Path dir;

  static final List<List<String>> OPTIONS = List.of(
      List.of(),
      List.of("--lastip", "--exec-mode", "--raw"),
      List.of("--no-offset", "--no-pad", "--no-cyc"),
      List.of("--time", "--cpuid-0x15.eax", "2", "--cpuid-0x15.ebx", "168", "--mtc-freq", "3", "--nom-freq", "36"),
      List.of("--tcal", "--time-delta", "--cpuid-0x15.eax", "3", "--cpuid-0x15.ebx", "250", "--mtc-freq", "1"),
      List.of("--time", "--time-delta", "--no-wall-clock", "--nom-freq", "12", "--keep-tcal-on-ovf"),
      List.of("--time", "--no-tcal", "--no-timing", "--cpu", "6/94"),
      List.of("--cpu", "6/85", "--raw", "--no-sync"));

  @Test
  void randomAndDamagedStreams() throws IOException {
    int lines = 0;
    int seeds = Integer.getInteger("ptdump.seeds", 16); // more by hand: -Dptdump.seeds=500
    for (long seed = 500; seed < 500 + seeds; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      RandomTrace t = new RandomTrace(seed);
      t.psbEvery = 256 + rnd.nextInt(4096);
      byte[] b = t.run(1500).bytes();
      if (seed % 2 == 1) b = damage(b, rnd);
      Path f = dir.resolve("random-" + seed + ".pt");
      Files.write(f, b);
      for (List<String> opts : OPTIONS) {
        List<String> cmd = new ArrayList<>(List.of(LibiptKit.ptdump().toString()));
        cmd.addAll(opts);
        cmd.add(f.toString());
        String want = LibiptKit.run(cmd, dir);
        String got = listing(b, opts);
        if (!want.equals(got)) {
          List<String> w = Arrays.asList(want.split("\n")), g = Arrays.asList(got.split("\n"));
          int i = 0;
          while (i < w.size() && i < g.size() && w.get(i).equals(g.get(i))) i++;
          throw new AssertionError("seed " + seed + " " + opts + ": first difference at line " + i + "\n  ptdump: "
              + (i < w.size() ? w.get(i) : "<end>") + "\n  iptq:   " + (i < g.size() ? g.get(i) : "<end>"));
        }
        lines += want.split("\n").length;
      }
    }
    System.out.println("ptdump random diff: " + seeds * OPTIONS.size() + " listings, " + lines + " lines, identical");
    assertTrue(lines > 100_000, "listings compared: " + lines + " lines");
  }

  private static byte[] damage(byte[] b, SplittableRandom rnd) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int k = 0; k < 8; k++) {
      int at = from + rnd.nextInt(Math.max(1, (b.length - from) / 4));
      if (at >= b.length) break;
      out.write(b, from, at - from);
      if (rnd.nextBoolean()) {
        byte[] junk = new byte[1 + rnd.nextInt(24)];
        rnd.nextBytes(junk);
        out.write(junk, 0, junk.length);
      } else {
        b[at] ^= (byte) (1 << rnd.nextInt(8));
      }
      from = at;
    }
    out.write(b, from, b.length - from);
    byte[] d = out.toByteArray();
    return Arrays.copyOf(d, d.length - rnd.nextInt(20));
  }

  /** The listing with ptdump's options read as {@code iptq packets} reads them. */
  private static String listing(byte[] trace, List<String> opts) {
    boolean noOffset = false, raw = false, lastIp = false, execMode = false, time = false, tcal = false, delta = false;
    boolean noPad = false, noSync = false, noTcal = false, noWall = false, noTiming = false, noCyc = false, keep = false;
    int mtcFreq = 0, nomFreq = 0;
    long eax = 0, ebx = 0;
    Errata errata = Errata.NONE;
    for (int i = 0; i < opts.size(); i++) {
      switch (opts.get(i)) {
        case "--no-offset" -> noOffset = true;
        case "--raw" -> raw = true;
        case "--lastip" -> lastIp = true;
        case "--exec-mode" -> execMode = true;
        case "--time" -> time = true;
        case "--tcal" -> tcal = true;
        case "--time-delta" -> delta = true;
        case "--no-pad" -> noPad = true;
        case "--no-sync" -> noSync = true;
        case "--no-tcal" -> noTcal = true;
        case "--no-wall-clock" -> noWall = true;
        case "--no-timing" -> noTiming = true;
        case "--no-cyc" -> noCyc = true;
        case "--keep-tcal-on-ovf" -> keep = true;
        case "--mtc-freq" -> mtcFreq = Integer.parseInt(opts.get(++i));
        case "--nom-freq" -> nomFreq = Integer.parseInt(opts.get(++i));
        case "--cpuid-0x15.eax" -> eax = Long.parseLong(opts.get(++i));
        case "--cpuid-0x15.ebx" -> ebx = Long.parseLong(opts.get(++i));
        case "--cpu" -> errata = Errata.of(Errata.Cpu.parse(opts.get(++i)));
        default -> throw new IllegalArgumentException(opts.get(i));
      }
    }
    StringBuilder out = new StringBuilder();
    new PtdumpListing(new PtdumpListing.Options(!noOffset, raw, lastIp, execMode, time, tcal, delta, false, noPad, noSync,
        noTcal, noWall, noTiming, noCyc, keep), new PtdumpClock.Config(mtcFreq, nomFreq, eax, ebx, errata), out)
        .list(new PacketDecoder(trace).errata(errata));
    return out.toString();
  }
}
