package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Libipt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * iptq's packet decoder against Intel's: libipt 2.2's pt_pkt_* (the kit's library, through
 * src/test/c/ptdump_harness.c built against the kit's header): packet kinds, offsets, sizes,
 * payloads, errors and resynchronisation must match line for line, CFE, EVD and TRIG included.
 *
 * <p>Debian's libipt 2.0.5, the same harness built against it, is a second oracle where it can
 * be one: on every stream without CFE, EVD or TRIG (which it does not know) its lines must equal
 * 2.2's too.
 */
class PacketDiffTest {
  static final java.util.Set<PacketKind> NEWER = java.util.EnumSet.of(PacketKind.CFE, PacketKind.EVD, PacketKind.TRIG);
  @TempDir static Path dir;
  static Path harness, harness205;
  static int with205, without205;

  @BeforeAll
  static void build() {
    harness = Libipt.kitHarness("ptdump_harness");
    try {
      harness205 = Libipt.harness("ptdump_harness");
    } catch (org.opentest4j.TestAbortedException e) {
      harness205 = null; // outside CI Debian's libipt may be missing: 2.2 alone is the oracle
    }
  }

  @org.junit.jupiter.api.AfterAll
  static void report() {
    System.out.println("packet diff: every stream against libipt 2.2; " + with205 + " also against 2.0.5, "
        + without205 + " with CFE/EVD/TRIG against 2.2 only");
  }

  /** A CFE, EVD or TRIG opcode at {@code off} (2.0.5 calls it unknown where 2.2 may find it cut). */
  static boolean newerOpcode(byte[] t, long off) {
    int i = (int) off;
    if (i >= t.length) return false;
    if ((t[i] & 0xff) == 0xd9) return true;
    return (t[i] & 0xff) == 0x02 && i + 1 < t.length && ((t[i + 1] & 0xff) == 0x13 || (t[i + 1] & 0xff) == 0x53);
  }

  static List<String> libipt(Path h, byte[] trace, String name) throws IOException {
    Path f = dir.resolve(name + ".pt");
    Files.write(f, trace);
    String out = Libipt.run(List.of(h.toString(), f.toString()));
    return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
  }

  static void same(byte[] trace, String name) throws IOException {
    List<String> theirs = libipt(harness, trace, name);
    Decoded decoded = Decoded.of(trace);
    List<String> ours = decoded.lines;
    if (harness205 != null && decoded.packets.stream().noneMatch(p -> NEWER.contains(p.kind))
        && decoded.errors.stream().noneMatch(e -> newerOpcode(trace, e.offset()))) {
      assertEquals(theirs, libipt(harness205, trace, name), name + ": libipt 2.0.5 and 2.2 disagree");
      with205++;
    } else {
      without205++;
    }
    if (!ours.equals(theirs)) {
      int i = 0;
      while (i < ours.size() && i < theirs.size() && ours.get(i).equals(theirs.get(i))) i++;
      throw new AssertionError(name + ": first difference at line " + i + "\n  iptq:   "
          + (i < ours.size() ? ours.get(i) : "<end>") + "\n  libipt: "
          + (i < theirs.size() ? theirs.get(i) : "<end>") + "\n  (" + ours.size() + " vs " + theirs.size() + " lines)");
    }
  }

  @Test
  void randomStreams() throws IOException {
    for (long seed = 100; seed < 140; seed++) {
      RandomTrace.Result t = RandomTrace.generate(seed, 4000, seed % 2 == 0); // half with CFE/EVD/TRIG
      same(t.bytes(), "random-" + seed);
    }
  }

  /** Random streams with garbage inserted between packets, bytes flipped, and cut at a random point. */
  @Test
  void damagedRandomStreams() throws IOException {
    int errors = 0;
    for (long seed = 200; seed < 300; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      RandomTrace t = new RandomTrace(seed);
      t.newPackets = seed % 2 == 0;
      t.psbEvery = 256 + rnd.nextInt(2048);
      RandomTrace.Result r = t.run(1500);
      byte[] b = r.bytes();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int damage = 1 + rnd.nextInt(6);
      int[] at = new int[damage];
      for (int i = 0; i < damage; i++) at[i] = (int) r.packets().get(rnd.nextInt(r.packets().size())).offset;
      Arrays.sort(at);
      int from = 0;
      for (int cut : at) {
        out.write(b, from, cut - from);
        if (rnd.nextBoolean()) {
          byte[] junk = new byte[1 + rnd.nextInt(40)];
          rnd.nextBytes(junk);
          out.write(junk, 0, junk.length);
        } else if (cut < b.length) {
          b[cut] ^= (byte) (1 << rnd.nextInt(8)); // flip one bit of a packet header
        }
        from = cut;
      }
      out.write(b, from, b.length - from);
      byte[] damaged = out.toByteArray();
      damaged = Arrays.copyOf(damaged, damaged.length - rnd.nextInt(Math.min(30, damaged.length)));
      Decoded ours = Decoded.of(damaged);
      same(damaged, "damaged-" + seed);
      errors += ours.errors.size();
    }
    assertTrue(errors > 50, "the damage produced decode errors: " + errors);
  }

  /** Every hand-written edge case, each a small trace. */
  static Map<String, byte[]> edgeCases() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    long[] ips = {0xfffff80012345678L, 0xfffff8001234abcdL, 0xfffff80099990000L, 0x00007ff712345678L,
        0x00007ff7abcdef00L, 0x123456789abcdef0L};
    for (int ipb : new int[] {0, 1, 2, 3, 4, 6}) {
      for (PacketKind k : new PacketKind[] {PacketKind.TIP, PacketKind.TIP_PGE, PacketKind.TIP_PGD, PacketKind.FUP}) {
        PacketEncoder e = new PacketEncoder().psb().psbend();
        e.ip(k, 6, 0xfffff80012340000L);
        for (long ip : ips) if (e.canEncode(ipb, ip)) e.ip(k, ipb, ip);
        m.put("ipbytes-" + ipb + "-" + k.label(), e.toByteArray());
      }
    }
    for (int ipb : new int[] {5, 7}) {
      m.put("reserved-ipbytes-" + ipb,
          new PacketEncoder().psb().psbend().tnt(3, 5).reservedIp(PacketKind.TIP, ipb, 8).psb().psbend().toByteArray());
    }
    m.put("tnt64-47-bits", new PacketEncoder().psb().psbend().tnt64(47, 0x5555_5555_5555L).tnt64(47, 0x7fff_ffff_ffffL)
        .tnt64(47, 0).tnt64(1, 0).tnt64(7, 0x41).raw(0x02, 0xa3, 1, 0, 0, 0, 0, 0).psb().toByteArray());
    m.put("tnt8-all", tnt8All());
    m.put("tnt64-no-stop-bit", new PacketEncoder().psb().psbend().raw(0x02, 0xa3, 0, 0, 0, 0, 0, 0).psb().toByteArray());
    PacketEncoder cyc = new PacketEncoder().psb().psbend();
    for (int n = 1; n <= 9; n++) cyc.cyc(n == 1 ? 0x1f : (1L << Math.min(60, 5 + 7 * (n - 2))) + 3, n);
    cyc.cyc((1L << 61) - 1);
    m.put("cyc-many-bytes", cyc.toByteArray());
    m.put("cyc-too-long", new PacketEncoder().psb().psbend().raw(0x07, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x02)
        .psb().psbend().toByteArray());
    m.put("garbage-between-psbs", new PacketEncoder().psb().psbend().tnt(2, 1)
        .raw(0x05, 0x09, 0x15, 0xc9, 0x02, 0x04, 0x02, 0xc3, 0x00, 0x42).psb().psbend().tnt(1, 1)
        .raw(0x02, 0x04).raw(0x11, 0x22, 0x33).psb().psbend().toByteArray());
    m.put("garbage-before-first-psb", new PacketEncoder().raw(0x13, 0x37, 0x02, 0x82, 0x02).psb().psbend().toByteArray());
    for (int cut = 1; cut <= 10; cut++) {
      PacketEncoder e = new PacketEncoder().psb().psbend().ip(PacketKind.TIP, 6, 0x1122334455667788L);
      byte[] b = e.toByteArray();
      m.put("ends-mid-tip-" + cut, Arrays.copyOf(b, b.length - cut));
    }
    m.put("ends-mid-psb", Arrays.copyOf(new PacketEncoder().psb().psbend().psb().toByteArray(), 30));
    m.put("ends-mid-ext", new PacketEncoder().psb().psbend().raw(0x02).toByteArray());
    m.put("ends-mid-cyc", new PacketEncoder().psb().psbend().raw(0x07, 0x81).toByteArray());
    m.put("ends-mid-mnt-ext2", new PacketEncoder().psb().psbend().raw(0x02, 0xc3).toByteArray());
    m.put("ends-mid-ptw", new PacketEncoder().psb().psbend().raw(0x02, 0xb2, 1, 2, 3).toByteArray());
    m.put("empty", new byte[0]);
    m.put("no-psb", new byte[] {0x00, 0x00, 0x19, 1, 2, 3, 0x02, (byte) 0x82});
    m.put("only-pads", new byte[100]);
    m.put("psb-run-9-pairs", new PacketEncoder().raw(0x02, 0x82).psb().psbend().toByteArray());
    m.put("psb-back-to-back", new PacketEncoder().psb().psb().psbend().psb().psb().toByteArray());
    m.put("psb-swallowed-by-bad-packet",
        new PacketEncoder().psb().psbend().raw(0x19, 0x02, 0x82).psb().psbend().tnt(1, 0).toByteArray());
    m.put("psb-opcode-bad-pattern", new PacketEncoder().psb().psbend().raw(0x02, 0x82, 0x02, 0x82, 0x00, 0x00)
        .psb().psbend().toByteArray());
    m.put("mode-reserved-leaf", new PacketEncoder().psb().modeRaw(0x40).psbend().psb().modeRaw(0xe1).psb().toByteArray());
    m.put("mode-all", modeAll());
    m.put("tma-reserved", new PacketEncoder().psb().raw(0x02, 0x73, 1, 2, 0, 0xff, 0x01).raw(0x02, 0x73, 1, 2, 1, 0, 0)
        .psb().raw(0x02, 0x73, 1, 2, 0, 0xff, 0x02).psb().toByteArray());
    m.put("ptw-reserved-size", new PacketEncoder().psb().psbend().raw(0x02, 0x52, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
        .psb().raw(0x02, 0xf2).psb().psbend().ptw(0x1234, false, true).ptw(-1L, true, false).toByteArray());
    m.put("unknown-ext", new PacketEncoder().psb().psbend().raw(0x02, 0x04).psb().raw(0x02, 0xc3, 0x89).psb().toByteArray());
    m.put("pip-vmcs-mnt-timing", new PacketEncoder().psb().pip(0xfffffffffffe0L, true).pip(0x1000, false)
        .vmcs(0xfffffffffff000L).mnt(0x0123456789abcdefL).tsc(0xffffffffffffffL).tma(0xffff, 0x1ff).cbr(0xff)
        .mtc(0xff).psbend().toByteArray());
    m.put("power", new PacketEncoder().psb().psbend().exstop(true).ip(PacketKind.FUP, 0x401000).exstop(false)
        .mwait(0xffffffffL, 3).pwre(0xffff).pwre(0).pwre(2, 1, true).pwrx(0xff_0000_ffffL).pwrx(0x1_2345_6789L)
        .ovf().stop().toByteArray());
    m.put("event-trace", new PacketEncoder().psb().psbend().cfe(0x81, 14).ip(PacketKind.FUP, 0x401000).cfe(0x02, 0)
        .cfe(0x7f, 0xff).evd(0, 0x7ff712340000L).evd(0x1f, -1L).raw(0x02, 0x53, 0xe1, 1, 2, 3, 4, 5, 6, 7, 8)
        .trig(0x00, 0, 0).trig(0xe0, 0xff, 0xffff).trig(0x40, 7, 0x1234).trig(0x9f, 1, 0).toByteArray());
    for (int[] cut : new int[][] {{0x02, 0x13}, {0x02, 0x13, 0x01}, {0x02, 0x53, 0x00, 1, 2, 3, 4, 5, 6, 7}, {0xd9},
        {0xd9, 0x00}, {0xd9, 0x40, 0x01, 0x02}}) {
      m.put("ends-mid-" + Integer.toHexString(cut[0]) + "-" + cut.length, new PacketEncoder().psb().psbend().raw(cut).toByteArray());
    }
    m.put("stop-ovf-pad", new PacketEncoder().psb().psbend().pad().ovf().pad().stop().pad().pad().toByteArray());
    return m;
  }

  private static byte[] tnt8All() {
    PacketEncoder e = new PacketEncoder().psb().psbend();
    for (int b = 4; b < 256; b += 2) e.raw(b); // every TNT-8 byte
    return e.toByteArray();
  }

  private static byte[] modeAll() {
    PacketEncoder e = new PacketEncoder().psb();
    for (int v = 0; v < 0x40; v++) e.modeRaw(v);
    return e.psbend().toByteArray();
  }

  /**
   * The packet-level errata, in both decoders: SKZ84 (a Skylake server, 6/85: a TMA with reserved
   * bits is an 8-byte invalid packet) and SKD007 (a Skylake client, 6/94: an OVF that cut a
   * 2-byte CYC is the OVF); each processor has one of the two.
   */
  @Test
  void packetErrata() throws IOException {
    byte[] t = new PacketEncoder().psb().psbend().raw(0x07, 0x02, 0xf3).raw(0x2f, 0x02).ovf().raw(0x07, 0x02, 0x83)
        .raw(0x02, 0x73, 0x01, 0x02, 0x04, 0xff, 0x01, 0x83).tnt(2, 1)
        .psb().raw(0x02, 0x73, 0x01, 0x02, 0x00, 0xff, 0x03).psb().psbend().raw(0x02, 0x73, 0, 0, 1, 0, 0).toByteArray();
    Path f = dir.resolve("errata.pt");
    Files.write(f, t);
    for (String model : List.of("85", "94")) {
      String out = Libipt.run(List.of(harness.toString(), f.toString(), "6", model));
      List<String> theirs = Arrays.asList(out.split("\n"));
      Decoded ours = Decoded.of(new PacketDecoder(t).errata(Errata.of(new Errata.Cpu(6, Integer.parseInt(model), 0))));
      assertEquals(theirs, ours.lines, "cpu 6/" + model);
      // the erratum's packets re-encode to the same bytes (up to the first error)
      long firstError = ours.errors.isEmpty() ? Long.MAX_VALUE : ours.errors.get(0).offset();
      PacketEncoder again = new PacketEncoder();
      for (Packet p : ours.packets) {
        if (p.offset >= firstError || p.offset < again.offset()) break; // the error, or the resync behind it
        again.encode(p);
      }
      byte[] re = again.toByteArray();
      assertArrayEquals(Arrays.copyOf(t, re.length), re, "cpu 6/" + model);
    }
  }

  @Test
  void handWrittenEdgeCases() throws IOException {
    for (Map.Entry<String, byte[]> c : edgeCases().entrySet()) same(c.getValue(), c.getKey());
  }

  /** Every byte sequence of length 1–3 after a PSB+: opcode dispatch and short-packet errors agree. */
  @Test
  void everyShortTail() throws IOException {
    byte[] head = new PacketEncoder().psb().psbend().toByteArray();
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    List<byte[]> traces = new ArrayList<>();
    for (int a = 0; a < 256; a++) {
      for (int b : new int[] {-1, 0x00, 0x02, 0x03, 0x13, 0x22, 0x23, 0x43, 0x53, 0x62, 0x73, 0x82, 0x83, 0x88,
          0xa2, 0xa3, 0xc2, 0xc3, 0xc8, 0xe2, 0xf3, 0x12, 0x32, 0x92, 0xff}) {
        byte[] t = Arrays.copyOf(head, head.length + (b < 0 ? 1 : 2));
        t[head.length] = (byte) a;
        if (b >= 0) t[head.length + 1] = (byte) b;
        traces.add(t);
      }
    }
    // One process run per trace would be slow: concatenate with a PSB+ between, which both
    // decoders treat the same way (a truncated packet then swallows part of the next PSB).
    for (byte[] t : traces) all.write(t, 0, t.length);
    same(all.toByteArray(), "short-tails");
    assertEquals(256 * 25, traces.size());
  }
}
