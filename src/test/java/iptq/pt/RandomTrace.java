package iptq.pt;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random but well-formed packet streams with {@link PacketEncoder}, together with the
 * packets a decoder must return — computed here from the generator's own choices, not by
 * decoding. Streams start with a PSB+ and repeat it every {@code psbEvery} bytes; IPs walk
 * around a few code regions so that every IP compression occurs.
 */
final class RandomTrace {
  record Result(byte[] bytes, List<Packet> packets) {}

  /** Which packets may occur: libipt 2.0.5 does not know CFE, EVD and TRIG. */
  boolean newPackets = true;
  int psbEvery = 4096;

  private final SplittableRandom rnd;
  private final PacketEncoder enc = new PacketEncoder();
  private final List<Packet> out = new ArrayList<>();
  private long lastIp;
  private long nextPsb;

  RandomTrace(long seed) {
    this.rnd = new SplittableRandom(seed);
  }

  static Result generate(long seed, int packets, boolean newPackets) {
    RandomTrace t = new RandomTrace(seed);
    t.newPackets = newPackets;
    return t.run(packets);
  }

  Result run(int packets) {
    psbPlus();
    while (out.size() < packets) {
      if (enc.offset() >= nextPsb) psbPlus();
      else one();
    }
    return new Result(enc.toByteArray(), out);
  }

  private Packet begin(PacketKind kind) {
    Packet p = new Packet();
    p.kind = kind;
    p.offset = enc.offset();
    return p;
  }

  private void end(Packet p) {
    p.size = (int) (enc.offset() - p.offset);
    out.add(p);
  }

  private void psbPlus() {
    Packet p = begin(PacketKind.PSB);
    enc.psb();
    lastIp = 0;
    end(p);
    nextPsb = enc.offset() + psbEvery;
    if (rnd.nextInt(4) != 0) ip(PacketKind.FUP);
    mode();
    if (rnd.nextBoolean()) pip();
    if (rnd.nextBoolean()) tsc();
    if (rnd.nextBoolean()) tma();
    if (rnd.nextBoolean()) cbr();
    if (rnd.nextInt(8) == 0) vmcs();
    p = begin(PacketKind.PSBEND);
    enc.psbend();
    end(p);
  }

  private void one() {
    int r = rnd.nextInt(100);
    if (r < 30) tnt();
    else if (r < 45) ip(PacketKind.TIP);
    else if (r < 52) ip(PacketKind.FUP);
    else if (r < 56) ip(PacketKind.TIP_PGE);
    else if (r < 60) ip(PacketKind.TIP_PGD);
    else if (r < 64) cyc();
    else if (r < 67) mtc();
    else if (r < 69) tsc();
    else if (r < 71) tma();
    else if (r < 73) cbr();
    else if (r < 75) mode();
    else if (r < 77) pip();
    else if (r < 79) simple(PacketKind.PAD);
    else if (r < 80) simple(PacketKind.OVF);
    else if (r < 81) simple(PacketKind.STOP);
    else if (r < 82) vmcs();
    else if (r < 83) mnt();
    else if (r < 85) ptw();
    else if (r < 87) exstop();
    else if (r < 88) mwait();
    else if (r < 89) pwre();
    else if (r < 90) pwrx();
    else if (r < 91) simple(PacketKind.PSB);
    else if (newPackets && r < 93) cfe();
    else if (newPackets && r < 95) evd();
    else if (newPackets && r < 97) trig();
    else tnt();
  }

  private void simple(PacketKind k) {
    if (k == PacketKind.PSB) {
      psbPlus();
      return;
    }
    Packet p = begin(k);
    switch (k) {
      case PAD -> enc.pad();
      case OVF -> enc.ovf();
      case STOP -> enc.stop();
      default -> throw new IllegalArgumentException(k.toString());
    }
    end(p);
  }

  private void tnt() {
    boolean big = rnd.nextInt(3) == 0;
    int n = big ? 1 + rnd.nextInt(47) : 1 + rnd.nextInt(6);
    long bits = rnd.nextLong() & ((1L << n) - 1);
    Packet p = begin(big ? PacketKind.TNT_64 : PacketKind.TNT_8);
    if (big) enc.tnt64(n, bits);
    else enc.tnt8(n, bits);
    p.tntCount = n;
    p.tntBits = bits;
    end(p);
  }

  /** A next IP that shares 0, 16, 32 or 48 upper bits with the last, or is canonical. */
  private long nextIp() {
    return switch (rnd.nextInt(6)) {
      case 0 -> (lastIp & ~0xffffL) | rnd.nextInt(0x10000);
      case 1 -> (lastIp & ~0xffffffffL) | (rnd.nextLong() & 0xffffffffL);
      case 2 -> (lastIp & ~0xffffffffffffL) | (rnd.nextLong() & 0xffffffffffffL);
      case 3 -> 0x00007ff000000000L | (rnd.nextLong() & 0xfffffffffL); // user space
      case 4 -> 0xfffff80000000000L | (rnd.nextLong() & 0xffffffffffL); // kernel space
      default -> rnd.nextLong(); // non-canonical: only IPBytes 110 (or 100) carries it
    };
  }

  private void ip(PacketKind kind) {
    Packet p = begin(kind);
    if (rnd.nextInt(10) == 0) {
      enc.suppressed(kind);
      p.ipSuppressed = true;
      end(p);
      return;
    }
    long ip = nextIp();
    int[] options = {1, 2, 3, 4, 6};
    int ipBytes;
    do {
      ipBytes = options[rnd.nextInt(options.length)];
    } while (!enc.canEncode(ipBytes, ip));
    enc.ip(kind, ipBytes, ip);
    p.ipBytes = ipBytes;
    p.ip = ip;
    p.payload = switch (ipBytes) {
      case 1 -> ip & 0xffffL;
      case 2 -> ip & 0xffffffffL;
      case 3, 4 -> ip & 0xffffffffffffL;
      default -> ip;
    };
    lastIp = ip;
    end(p);
  }

  private void mode() {
    boolean tsx = rnd.nextInt(4) == 0;
    int bits = tsx ? rnd.nextInt(4) : rnd.nextInt(8);
    Packet p = begin(tsx ? PacketKind.MODE_TSX : PacketKind.MODE_EXEC);
    if (tsx) enc.modeTsx(bits);
    else enc.modeExec(bits);
    p.payload = bits;
    end(p);
  }

  private void pip() {
    long cr3 = (rnd.nextLong() & 0xfffffffffffe0L) & ((1L << 52) - 1);
    boolean nr = rnd.nextBoolean();
    Packet p = begin(PacketKind.PIP);
    enc.pip(cr3, nr);
    p.payload = cr3;
    p.payload2 = nr ? 1 : 0;
    end(p);
  }

  private void tsc() {
    long v = rnd.nextLong() & ((1L << 56) - 1);
    Packet p = begin(PacketKind.TSC);
    enc.tsc(v);
    p.payload = v;
    end(p);
  }

  private void tma() {
    int ctc = rnd.nextInt(0x10000), fc = rnd.nextInt(0x200);
    Packet p = begin(PacketKind.TMA);
    enc.tma(ctc, fc);
    p.payload = ctc;
    p.payload2 = fc;
    end(p);
  }

  private void mtc() {
    int v = rnd.nextInt(256);
    Packet p = begin(PacketKind.MTC);
    enc.mtc(v);
    p.payload = v;
    end(p);
  }

  private void cyc() {
    int bits = rnd.nextInt(62);
    long v = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits);
    int min = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(9) : 1;
    Packet p = begin(PacketKind.CYC);
    enc.cyc(v, min);
    p.payload = v;
    end(p);
  }

  private void cbr() {
    int v = rnd.nextInt(256);
    Packet p = begin(PacketKind.CBR);
    enc.cbr(v);
    p.payload = v;
    end(p);
  }

  private void vmcs() {
    long base = (rnd.nextLong() & ((1L << 52) - 1)) & ~0xfffL;
    Packet p = begin(PacketKind.VMCS);
    enc.vmcs(base);
    p.payload = base;
    end(p);
  }

  private void mnt() {
    long v = rnd.nextLong();
    Packet p = begin(PacketKind.MNT);
    enc.mnt(v);
    p.payload = v;
    end(p);
  }

  private void ptw() {
    boolean wide = rnd.nextBoolean(), ipf = rnd.nextBoolean();
    long v = wide ? rnd.nextLong() : rnd.nextLong() & 0xffffffffL;
    Packet p = begin(PacketKind.PTW);
    enc.ptw(v, wide, ipf);
    p.payload = v;
    p.payload2 = (ipf ? 1 : 0) | (wide ? 2 : 0);
    end(p);
    if (ipf) ip(PacketKind.FUP);
  }

  private void exstop() {
    boolean ipf = rnd.nextBoolean();
    Packet p = begin(PacketKind.EXSTOP);
    enc.exstop(ipf);
    p.payload = ipf ? 1 : 0;
    end(p);
    if (ipf) ip(PacketKind.FUP);
  }

  private void mwait() {
    long h = rnd.nextLong() & 0xffffffffL, e = rnd.nextLong() & 0xffffffffL;
    Packet p = begin(PacketKind.MWAIT);
    enc.mwait(h, e);
    p.payload = h;
    p.payload2 = e;
    end(p);
  }

  private void pwre() {
    int v = rnd.nextInt(0x10000);
    Packet p = begin(PacketKind.PWRE);
    enc.pwre(v);
    p.payload = v;
    end(p);
  }

  private void pwrx() {
    long v = rnd.nextLong() & 0xffffffffffL;
    Packet p = begin(PacketKind.PWRX);
    enc.pwrx(v);
    p.payload = v;
    end(p);
  }

  private void cfe() {
    int b = rnd.nextInt(256), vec = rnd.nextInt(256);
    Packet p = begin(PacketKind.CFE);
    enc.cfe(b, vec);
    p.payload = b;
    p.payload2 = vec;
    end(p);
  }

  private void evd() {
    int type = rnd.nextInt(32);
    long v = rnd.nextLong();
    Packet p = begin(PacketKind.EVD);
    enc.evd(type, v);
    p.payload = type;
    p.payload2 = v;
    end(p);
  }

  private void trig() {
    int flags = rnd.nextInt(256), trbv = rnd.nextInt(256), icnt = rnd.nextInt(0x10000);
    Packet p = begin(PacketKind.TRIG);
    enc.trig(flags, trbv, icnt);
    p.payload = flags;
    p.payload2 = trbv | ((flags & 0x40) != 0 ? (long) icnt << 8 : 0);
    end(p);
  }
}
