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
 * Last-IP decompression against libipt's query decoder (2.2, the kit's, and Debian's 2.0.5), which reconstructs full TIP targets
 * (libipt's packet decoder only returns the raw payload): streams of PSB+ (with a FUP) followed by
 * TIPs with every IP compression, IPs chosen so that each compression is exercised; the full IP
 * of every TIP must match.
 */
class LastIpDiffTest {
  @TempDir Path dir;

  @Test
  void tipTargetsMatchLibiptsQueryDecoder() throws Exception {
    List<Path> oracles = Libipt.oracles("ipquery_harness"); // libipt 2.2, and 2.0.5 where installed
    int[] perIpBytes = new int[8];
    int overflows = 0;
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      PacketEncoder e = new PacketEncoder();
      long last = 0;
      for (int block = 0; block < 40; block++) {
        e.psb();
        last = pick(rnd, last);
        e.ip(PacketKind.FUP, any(rnd, e, last), last);
        e.modeExec(1).psbend();
        int tips = 1 + rnd.nextInt(30);
        for (int i = 0; i < tips; i++) {
          if (rnd.nextInt(25) == 0) {
            // Packets were lost: decoding resumes at the FUP after OVF, whose IP is compressed
            // against a last IP that the overflow reset.
            e.ovf();
            last = pick(rnd, last);
            e.ip(PacketKind.FUP, any(rnd, e, last), last);
            overflows++;
            continue;
          }
          if (rnd.nextInt(12) == 0) {
            e.suppressed(PacketKind.TIP);
            continue;
          }
          last = pick(rnd, last);
          e.ip(PacketKind.TIP, any(rnd, e, last), last);
        }
      }
      byte[] trace = e.toByteArray();
      Path f = dir.resolve("ip" + seed + ".pt");
      Files.write(f, trace);
      List<String> ours = new ArrayList<>();
      boolean first = true;
      boolean afterOvf = false;
      for (Packet p : Decoded.of(trace).packets) {
        if (p.kind == PacketKind.OVF) {
          afterOvf = true;
        } else if (p.kind == PacketKind.FUP && afterOvf) {
          ours.add("ovf " + Long.toHexString(p.ip));
          afterOvf = false;
        } else if (p.kind == PacketKind.FUP && first) {
          ours.add("sync " + Long.toHexString(p.ip));
          first = false;
        } else if (p.kind == PacketKind.TIP) {
          ours.add(p.ipSuppressed ? "tip suppressed" : "tip " + Long.toHexString(p.ip));
          perIpBytes[p.ipBytes]++;
        }
      }
      for (Path harness : oracles) {
        String out = Libipt.run(List.of(harness.toString(), f.toString()));
        assertEquals(String.join("\n", ours) + "\n", out, "seed " + seed + ", " + harness);
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(overflows > 50, "overflows compared " + overflows);
    for (int ipb : new int[] {0, 1, 2, 3, 4, 6})
      org.junit.jupiter.api.Assertions.assertTrue(perIpBytes[ipb] > 50, "IPBytes " + ipb + " compared " + perIpBytes[ipb] + " times");
  }

  private static long pick(SplittableRandom rnd, long last) {
    return switch (rnd.nextInt(6)) {
      case 0 -> (last & ~0xffffL) | rnd.nextInt(0x10000);
      case 1 -> (last & ~0xffffffffL) | (rnd.nextLong() & 0xffffffffL);
      case 2 -> (last & ~0xffffffffffffL) | (rnd.nextLong() & 0xffffffffffffL);
      case 3 -> 0x00007ff000000000L | (rnd.nextLong() & 0xfffffffffL);
      case 4 -> 0xfffff80000000000L | (rnd.nextLong() & 0xffffffffffL);
      default -> rnd.nextLong();
    };
  }

  /** A random IPBytes code (not the cheapest one necessarily) that can carry ip. */
  private static int any(SplittableRandom rnd, PacketEncoder e, long ip) {
    int[] codes = {1, 2, 3, 4, 6};
    for (;;) {
      int c = codes[rnd.nextInt(codes.length)];
      if (e.canEncode(c, ip)) return c;
    }
  }
}
