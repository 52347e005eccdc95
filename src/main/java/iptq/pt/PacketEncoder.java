package iptq.pt;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes Intel PT packets into a growable buffer: every packet kind, with IP compression against
 * the same last-IP state a decoder keeps (a PSB resets it), so that what is encoded decodes to
 * the same IPs. Used by tests, the benchmark and the sample generator. For traces larger than
 * memory, {@link #drainTo(OutputStream)} empties the buffer while keeping the last-IP state.
 */
public final class PacketEncoder {
  private byte[] buf = new byte[1 << 12];
  private int len;
  private long written; // bytes drained before buf[0]
  private long lastIp;

  /** Offset (in the whole stream) of the next byte to be written. */
  public long offset() {
    return written + len;
  }

  /** The last IP the encoder compresses against. */
  public long lastIp() {
    return lastIp;
  }

  /** The bytes written since the last drain. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Bytes currently buffered. */
  public int buffered() {
    return len;
  }

  /** Writes the buffered bytes to {@code out} and empties the buffer; last-IP state is kept. */
  public void drainTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
    written += len;
    len = 0;
  }

  // ---- packets without payload ------------------------------------------------------------

  public PacketEncoder pad() {
    return b(0x00);
  }

  public PacketEncoder psb() {
    for (int i = 0; i < 8; i++) b(0x02).b(0x82);
    lastIp = 0;
    return this;
  }

  public PacketEncoder psbend() {
    return b(0x02).b(0x23);
  }

  /** OVF; like PSB it restarts last-IP compression (as decoders do after lost packets). */
  public PacketEncoder ovf() {
    lastIp = 0;
    return b(0x02).b(0xf3);
  }

  public PacketEncoder stop() {
    return b(0x02).b(0x83);
  }

  // ---- control flow -------------------------------------------------------------------------

  /**
   * A TNT packet with {@code count} bits (first branch = bit count-1, 1 = taken): TNT-8 for 1–6
   * bits, TNT-64 for 7–47.
   */
  public PacketEncoder tnt(int count, long bits) {
    return count <= 6 ? tnt8(count, bits) : tnt64(count, bits);
  }

  public PacketEncoder tnt8(int count, long bits) {
    if (count < 1 || count > 6) throw new IllegalArgumentException("tnt.8 holds 1-6 bits: " + count);
    long v = (bits & ((1L << count) - 1)) | (1L << count);
    return b((int) (v << 1));
  }

  public PacketEncoder tnt64(int count, long bits) {
    if (count < 1 || count > 47) throw new IllegalArgumentException("tnt.64 holds 1-47 bits: " + count);
    long v = (bits & ((1L << count) - 1)) | (1L << count);
    return b(0x02).b(0xa3).le(v, 6);
  }

  /** TIP, TIP.PGE, TIP.PGD or FUP with the cheapest compression for {@code ip}. */
  public PacketEncoder ip(PacketKind kind, long ip) {
    return ip(kind, bestIpBytes(ip), ip);
  }

  /** An IP packet with the suppressed IP (IPBytes 000). */
  public PacketEncoder suppressed(PacketKind kind) {
    return ip(kind, 0, 0);
  }

  /**
   * An IP packet with the given IPBytes code (0, 1, 2, 3, 4 or 6); {@code ip} must be
   * representable with it given the current last IP (see {@link #canEncode}).
   */
  public PacketEncoder ip(PacketKind kind, int ipBytes, long ip) {
    if (!canEncode(ipBytes, ip))
      throw new IllegalArgumentException(
          "IPBytes " + ipBytes + " cannot encode 0x" + Long.toHexString(ip) + " after 0x" + Long.toHexString(lastIp));
    b(opcode(kind) | ipBytes << 5);
    switch (ipBytes) {
      case 0 -> {
        return this;
      }
      case 1 -> le(ip, 2);
      case 2 -> le(ip, 4);
      case 3, 4 -> le(ip, 6);
      default -> le(ip, 8);
    }
    lastIp = ip;
    return this;
  }

  /** An IP packet with a reserved IPBytes code (5 or 7) and {@code payloadBytes} bytes after it. */
  public PacketEncoder reservedIp(PacketKind kind, int ipBytes, int payloadBytes) {
    if (ipBytes != 5 && ipBytes != 7) throw new IllegalArgumentException("not reserved: " + ipBytes);
    b(opcode(kind) | ipBytes << 5);
    for (int i = 0; i < payloadBytes; i++) b(0x11 * (i + 1));
    return this;
  }

  /** Whether IPBytes code {@code ipBytes} can carry {@code ip} given the current last IP. */
  public boolean canEncode(int ipBytes, long ip) {
    return switch (ipBytes) {
      case 0 -> true;
      case 1 -> (ip & ~0xffffL) == (lastIp & ~0xffffL);
      case 2 -> (ip & ~0xffffffffL) == (lastIp & ~0xffffffffL);
      case 3 -> (ip << 16) >> 16 == ip;
      case 4 -> (ip & ~0xffffffffffffL) == (lastIp & ~0xffffffffffffL);
      case 6 -> true;
      default -> false;
    };
  }

  /** The smallest IPBytes code that carries {@code ip}, preferring sign extension at 6 bytes. */
  public int bestIpBytes(long ip) {
    if (canEncode(1, ip)) return 1;
    if (canEncode(2, ip)) return 2;
    if (canEncode(3, ip)) return 3;
    if (canEncode(4, ip)) return 4;
    return 6;
  }

  private static int opcode(PacketKind kind) {
    return switch (kind) {
      case TIP -> 0x0d;
      case TIP_PGE -> 0x11;
      case TIP_PGD -> 0x01;
      case FUP -> 0x1d;
      default -> throw new IllegalArgumentException("not an IP packet: " + kind);
    };
  }

  // ---- status and timing ----------------------------------------------------------------------

  /** PIP: {@code cr3} (bits 51:5 are kept) and the non-root bit. */
  public PacketEncoder pip(long cr3, boolean nr) {
    return b(0x02).b(0x43).le(((cr3 >>> 5) << 1) | (nr ? 1 : 0), 6);
  }

  /** MODE.Exec with bits 4:0 (bit 0 CS.L, bit 1 CS.D, bit 2 IF). */
  public PacketEncoder modeExec(int bits) {
    return b(0x99).b(bits & 0x1f);
  }

  /** MODE.Exec for a 64-, 32- or 16-bit code segment. */
  public PacketEncoder modeExecBits(int mode) {
    return modeExec(mode == 64 ? 1 : mode == 32 ? 2 : 0);
  }

  /** MODE.TSX with bits 4:0 (bit 0 InTX, bit 1 TXAbort). */
  public PacketEncoder modeTsx(int bits) {
    return b(0x99).b(0x20 | (bits & 0x1f));
  }

  /** MODE with any payload byte, including reserved leaves. */
  public PacketEncoder modeRaw(int payload) {
    return b(0x99).b(payload);
  }

  public PacketEncoder tsc(long tsc) {
    return b(0x19).le(tsc, 7);
  }

  public PacketEncoder mtc(int ctc) {
    return b(0x59).b(ctc);
  }

  public PacketEncoder tma(int ctc, int fc) {
    return b(0x02).b(0x73).le(ctc, 2).b(0).le(fc & 0x1ff, 2);
  }

  /** CYC with the fewest bytes for {@code value} (at most 61 bits). */
  public PacketEncoder cyc(long value) {
    return cyc(value, 1);
  }

  /** CYC using at least {@code minBytes} bytes (padding with zero groups; at most 9 bytes). */
  public PacketEncoder cyc(long value, int minBytes) {
    if (value < 0 || value >>> 61 != 0) throw new IllegalArgumentException("cyc value too large");
    int n = 1;
    for (long v = value >>> 5; v != 0; v >>>= 7) n++;
    n = Math.max(n, minBytes);
    if (n > 9) throw new IllegalArgumentException("cyc longer than 9 bytes");
    b((int) ((value & 0x1f) << 3) | 3 | (n > 1 ? 4 : 0));
    long v = value >>> 5;
    for (int i = 1; i < n; i++) {
      b((int) ((v & 0x7f) << 1) | (i < n - 1 ? 1 : 0));
      v >>>= 7;
    }
    return this;
  }

  public PacketEncoder cbr(int ratio) {
    return b(0x02).b(0x03).b(ratio).b(0);
  }

  /** VMCS: base address bits 51:12. */
  public PacketEncoder vmcs(long base) {
    return b(0x02).b(0xc8).le(base >>> 12, 5);
  }

  public PacketEncoder mnt(long payload) {
    return b(0x02).b(0xc3).b(0x88).le(payload, 8);
  }

  /** PTWRITE with a 4-byte ({@code wide} false) or 8-byte value; {@code ip}: a FUP follows. */
  public PacketEncoder ptw(long value, boolean wide, boolean ip) {
    b(0x02).b(0x12 | (wide ? 0x20 : 0) | (ip ? 0x80 : 0));
    return le(value, wide ? 8 : 4);
  }

  public PacketEncoder exstop(boolean ip) {
    return b(0x02).b(ip ? 0xe2 : 0x62);
  }

  public PacketEncoder mwait(long hints, long ext) {
    return b(0x02).b(0xc2).le(hints, 4).le(ext, 4);
  }

  /** PWRE with its raw 16-bit payload (see {@link Packet#pwreState()}). */
  public PacketEncoder pwre(int payload) {
    return b(0x02).b(0x22).le(payload, 2);
  }

  /** PWRE from fields: C-state, sub C-state, HW bit. */
  public PacketEncoder pwre(int state, int subState, boolean hw) {
    return pwre((state & 0xf) << 12 | (subState & 0xf) << 8 | (hw ? 0x80 : 0));
  }

  /** PWRX with its raw 40-bit payload (see {@link Packet#pwrxLast()}). */
  public PacketEncoder pwrx(long payload) {
    return b(0x02).b(0xa2).le(payload, 5);
  }

  /** CFE: first payload byte (bit 7 IP, bits 4:0 type) and vector. */
  public PacketEncoder cfe(int typeAndIp, int vector) {
    return b(0x02).b(0x13).b(typeAndIp).b(vector);
  }

  public PacketEncoder evd(int type, long payload) {
    return b(0x02).b(0x53).b(type & 0x1f).le(payload, 8);
  }

  /** TRIG: flags byte (bit 7 IP, bit 6 ICNTV, bit 5 MULT), TRBV, and ICNT when bit 6 is set. */
  public PacketEncoder trig(int flags, int trbv, int icnt) {
    b(0xd9).b(flags).b(trbv);
    if ((flags & 0x40) != 0) le(icnt, 2);
    return this;
  }

  /** Arbitrary bytes (garbage, truncated packets) — last-IP state is not touched. */
  public PacketEncoder raw(int... bytes) {
    for (int x : bytes) b(x);
    return this;
  }

  public PacketEncoder raw(byte[] bytes, int off, int n) {
    for (int i = 0; i < n; i++) b(bytes[off + i]);
    return this;
  }

  /** Encodes {@code p} as the decoder would have decoded it (IP packets use p.ipBytes and p.ip). */
  public PacketEncoder encode(Packet p) {
    return switch (p.kind) {
      case PAD -> pad();
      case TNT_8 -> tnt8(p.tntCount, p.tntBits);
      case TNT_64 -> tnt64(p.tntCount, p.tntBits);
      case TIP, TIP_PGE, TIP_PGD, FUP -> ip(p.kind, p.ipBytes, p.ip);
      case PIP -> pip(p.payload, p.payload2 != 0);
      case MODE_EXEC -> modeExec((int) p.payload);
      case MODE_TSX -> modeTsx((int) p.payload);
      case TSC -> tsc(p.payload);
      case MTC -> mtc((int) p.payload);
      case TMA -> tma((int) p.payload, (int) p.payload2);
      case CYC -> cyc(p.payload, p.size);
      case CBR -> cbr((int) p.payload);
      case VMCS -> vmcs(p.payload);
      case OVF -> p.size == 3 ? b((int) p.payload).b(0x02).b(0xf3) : ovf(); // SKD007's cut CYC + OVF
      case PSB -> psb();
      case PSBEND -> psbend();
      case STOP -> stop();
      case MNT -> mnt(p.payload);
      case PTW -> ptw(p.payload, (p.payload2 & 2) != 0, (p.payload2 & 1) != 0);
      case EXSTOP -> exstop(p.payload != 0);
      case MWAIT -> mwait(p.payload, p.payload2);
      case PWRE -> pwre((int) p.payload);
      case PWRX -> pwrx(p.payload);
      case CFE -> cfe((int) p.payload, (int) p.payload2);
      case EVD -> evd((int) p.payload, p.payload2);
      case TRIG -> trig((int) p.payload, (int) (p.payload2 & 0xff), (int) (p.payload2 >>> 8));
      case INVALID -> p.payload2 < 0 ? b(0x02).b(0x73).le(p.payload, 5) : b(0x02).b(0x73).le(p.payload, 5).b((int) p.payload2);
    };
  }

  // ---- bytes ------------------------------------------------------------------------------------

  private PacketEncoder b(int x) {
    if (len == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
    buf[len++] = (byte) x;
    return this;
  }

  private PacketEncoder le(long v, int n) {
    for (int i = 0; i < n; i++) b((int) (v >>> (8 * i)));
    return this;
  }
}
