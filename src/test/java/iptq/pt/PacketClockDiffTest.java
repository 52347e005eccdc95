package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iptq.testing.Libipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TSC/TMA/MTC time estimates against libipt's query decoder ({@code pt_qry_time} after each TIP,
 * src/test/c/time_harness.c; libipt 2.2, the kit's, and Debian's 2.0.5), for MTCFreq 0–12 (with and without the full CTC in TMA) and
 * CPUID 0x15 ratios, over PSB+ blocks with and without TMA and MTCs with gaps and wraps.
 * libipt rounds each MTC's TSC ticks down on its own while iptq carries the remainder, so the
 * ratios here make every MTC step a whole number of TSC ticks (EBX a multiple of EAX).
 */
class PacketClockDiffTest {
  @TempDir Path dir;

  @Test
  void tipTimesMatchLibipt() throws Exception {
    List<Path> oracles = Libipt.oracles("time_harness"); // libipt 2.2, and 2.0.5 where installed
    int compared = 0;
    for (long seed = 1; seed <= 40; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      int mtcFreq = rnd.nextInt(13);
      long eax = 1 + rnd.nextInt(3), ebx = eax * (1 + rnd.nextInt(200));
      PacketEncoder e = new PacketEncoder();
      long tsc = 1_000_000 + rnd.nextInt(1000);
      long ctc = rnd.nextInt(1 << 20);
      long ip = 0x401000;
      for (int block = 0; block < 20; block++) {
        tsc += 10_000 + rnd.nextInt(100_000);
        ctc += rnd.nextInt(5000);
        e.psb().ip(PacketKind.FUP, ip).tsc(tsc);
        if (rnd.nextInt(5) != 0) e.tma((int) (ctc & 0xffff), rnd.nextInt(0x200));
        e.psbend();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
          if (rnd.nextInt(3) == 0) {
            ctc += (1L << mtcFreq) * (1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(300) : 0));
            e.mtc((int) ((ctc >>> mtcFreq) & 0xff));
          } else {
            ip += 1 + rnd.nextInt(100);
            e.ip(PacketKind.TIP, ip);
          }
        }
      }
      byte[] trace = e.toByteArray();
      Path f = dir.resolve("time" + seed + ".pt");
      Files.write(f, trace);

      List<String> ours = new ArrayList<>();
      PacketClock clock = new PacketClock(new PacketClock.Config(mtcFreq, eax, ebx, 0));
      for (Packet p : Decoded.of(trace).packets) {
        clock.update(p);
        if (p.kind == PacketKind.TIP) {
          ours.add(clock.tsc() == PacketClock.UNKNOWN ? "tip none" : "tip " + Long.toHexString(clock.tsc()));
          compared++;
        }
      }
      for (Path harness : oracles) {
        String out = Libipt.run(List.of(harness.toString(), f.toString(), String.valueOf(mtcFreq),
            String.valueOf(eax), String.valueOf(ebx)));
        assertEquals(String.join("\n", ours) + "\n", out,
            "seed " + seed + " mtcFreq " + mtcFreq + " ratio " + ebx + "/" + eax + ", " + harness);
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(compared > 5000, "compared " + compared);
  }
}
