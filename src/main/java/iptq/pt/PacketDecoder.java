package iptq.pt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes Intel PT packets from a byte buffer or a memory-mapped file ({@link RawTrace}), one at a
 * time into a reused {@link Packet}: no allocation and no native call per packet.
 *
 * <p>Synchronisation follows libipt's packet decoder ({@code pt_pkt_sync_forward}), so that both
 * agree packet for packet: decoding starts at the first PSB; after an error the search for the
 * next PSB starts 15 bytes before the failing packet (a PSB may have been swallowed by a bad
 * packet before it); and in a run of more than eight {@code 02 82} pairs the PSB is the last 16
 * bytes of the run, because the earlier pairs could as well be the end of the packet before.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * PacketDecoder d = new PacketDecoder(buffer);
 * Packet p = new Packet();
 * for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
 *   if (s == PacketDecoder.Status.ERROR) record(d.lastError()); // then decoding resumes at the next PSB
 *   else use(p);
 * }
 * }</pre>
 */
public final class PacketDecoder {
  /** The result of {@link #next(Packet)}. */
  public enum Status {
    /** A packet was decoded into the caller's {@link Packet}. */
    OK,
    /** No more packets: the end of the trace (or no further PSB after an error). */
    END,
    /** A decode problem, see {@link #lastError()}; the next call resynchronises at a PSB. */
    ERROR
  }

  static final long PSB_WORD = 0x8202820282028202L;
  private static final long PSB_WORD_ODD = 0x0282028202820282L;
  /** Room for the longest packet plus a PSB run check, so a packet never straddles a window. */
  static final int MAX_PACKET = 32;

  private static final byte OP_BAD = 0, OP_PAD = 1, OP_EXT = 2, OP_TNT8 = 3, OP_TIP = 4,
      OP_PGE = 5, OP_PGD = 6, OP_FUP = 7, OP_MODE = 8, OP_TSC = 9, OP_MTC = 10, OP_CYC = 11,
      OP_TRIG = 12;
  private static final byte[] OPS = new byte[256];
  private static final PacketKind[] IP_KINDS = new PacketKind[OP_FUP + 1];

  static {
    for (int b = 0; b < 256; b++) {
      byte op;
      if (b == 0x00) op = OP_PAD;
      else if (b == 0x02) op = OP_EXT;
      else if ((b & 1) == 0) op = OP_TNT8;
      else if (b == 0x99) op = OP_MODE;
      else if (b == 0x19) op = OP_TSC;
      else if (b == 0x59) op = OP_MTC;
      else if (b == 0xd9) op = OP_TRIG;
      else if ((b & 0x1f) == 0x0d) op = OP_TIP;
      else if ((b & 0x1f) == 0x11) op = OP_PGE;
      else if ((b & 0x1f) == 0x01) op = OP_PGD;
      else if ((b & 0x1f) == 0x1d) op = OP_FUP;
      else if ((b & 3) == 3) op = OP_CYC;
      else op = OP_BAD;
      OPS[b] = op;
    }
    IP_KINDS[OP_TIP] = PacketKind.TIP;
    IP_KINDS[OP_PGE] = PacketKind.TIP_PGE;
    IP_KINDS[OP_PGD] = PacketKind.TIP_PGD;
    IP_KINDS[OP_FUP] = PacketKind.FUP;
  }

  private final RawTrace source; // null: the whole trace is in buf
  private ByteBuffer buf;
  private long base; // trace offset of buf index 0
  private int pos;
  private int limit;
  private boolean lastWindow;

  private long lastIp;
  private boolean synced;
  private boolean everSynced;
  private boolean noSyncReported;
  private long syncOffset = -1;
  private long skipped;
  private long lastSkip;
  private boolean seeked;
  private DecodeError lastError;
  private Errata errata = Errata.NONE;

  /** Decodes {@code trace.position()..limit()}; offsets are relative to {@code position()}. */
  public PacketDecoder(ByteBuffer trace) {
    this.source = null;
    this.buf = trace.slice().order(ByteOrder.LITTLE_ENDIAN);
    this.base = 0;
    this.limit = buf.limit();
    this.lastWindow = true;
  }

  /** Decodes a byte array. */
  public PacketDecoder(byte[] trace) {
    this(ByteBuffer.wrap(trace));
  }

  PacketDecoder(RawTrace source) {
    this.source = source;
    window(0);
  }

  /**
   * Decodes as libipt does for a processor with these errata (packet level: SKZ84 makes a TMA
   * with reserved bits set a {@link PacketKind#INVALID} packet instead of an error).
   */
  public PacketDecoder errata(Errata e) {
    this.errata = e;
    return this;
  }

  /**
   * A second decoder of the same trace at this one's position (and last IP), to read ahead
   * without moving this one: libipt's errata workarounds look at the packets that follow.
   */
  public PacketDecoder lookahead() {
    PacketDecoder d = source != null ? new PacketDecoder(source) : new PacketDecoder(buf.duplicate().position(0));
    d.errata = errata;
    d.syncAt(offset());
    d.lastIp = lastIp;
    return d;
  }

  /**
   * Takes {@code offset} as a synchronisation point without looking for a PSB (libipt's {@code
   * pt_pkt_sync_set}, ptdump's {@code --no-sync}); after an error the decoder searches for the
   * next PSB as usual.
   */
  public void syncAt(long offset) {
    moveTo(Math.max(0, Math.min(offset, size())));
    synced = true;
    everSynced = true;
    seeked = false;
    syncOffset = offset;
  }

  /**
   * Copies the bytes of {@code p}, the packet the last {@link #next} returned, into {@code dst}
   * (at least {@code p.size} long); returns the number copied.
   */
  public int copyBytes(Packet p, byte[] dst) {
    int at = (int) (p.offset - base);
    int n = Math.min(Math.min(p.size, dst.length), limit - at);
    for (int i = 0; i < n; i++) dst[i] = buf.get(at + i);
    return n;
  }

  /** The current offset: of the next packet to decode, or of the failing packet after ERROR. */
  public long offset() {
    return base + pos;
  }

  /** The error behind the last {@link Status#ERROR}, or null. */
  public DecodeError lastError() {
    return lastError;
  }

  /** Bytes passed over while searching for a PSB (before the first one and after errors). */
  public long skipped() {
    return skipped;
  }

  /**
   * Bytes passed over by the most recent synchronisation: after an {@link Status#ERROR}, the
   * next call to {@link #next} resynchronises, and then this is the gap the error left.
   */
  public long lastSkipped() {
    return lastSkip;
  }

  /** The offset of the PSB the decoder last synchronised at, or -1. */
  public long syncOffset() {
    return syncOffset;
  }

  /** The last IP, as used for IP decompression (0 after a PSB). */
  public long lastIp() {
    return lastIp;
  }

  /** The length of the trace in bytes. */
  public long size() {
    return source != null ? source.size() : limit;
  }

  /**
   * Moves to the next PSB, as libipt's {@code pt_pkt_sync_forward} does: the search starts at the
   * current offset (16 bytes further when that is the PSB synchronised at last, so that repeated
   * calls move on), backed up by up to 15 bytes to find a PSB a bad packet ran into. Returns the
   * PSB's offset, or -1 when there is none (the decoder is then at the end).
   */
  public long sync() {
    long cur = offset();
    long from = cur == syncOffset ? cur + 16 : cur;
    if (seeked) seeked = false;
    else from -= Math.min(from, 15);
    long psb = findPsb(from);
    if (psb < 0) {
      lastSkip = Math.max(0, size() - cur);
      skipped += lastSkip;
      synced = false;
      return -1;
    }
    lastSkip = Math.max(0, psb - cur);
    skipped += lastSkip;
    moveTo(psb);
    synced = true;
    everSynced = true;
    syncOffset = psb;
    return psb;
  }

  /**
   * Moves to {@code offset} (clamped to the trace), unsynchronised: the next {@link #next} searches
   * for a PSB starting exactly there. For decoding part of a trace, e.g. from a Windows IPT
   * buffer's write position.
   */
  public void seek(long offset) {
    moveTo(Math.max(0, Math.min(offset, size())));
    synced = false;
    seeked = true;
    syncOffset = -1;
    lastIp = 0;
  }

  /** Decodes the next packet into {@code out}; synchronises first when needed. */
  public Status next(Packet out) {
    // Kept small so that the JIT inlines it into the caller's loop: TNT-8, half of all packets
    // in real traces, is decoded right here; other common packets in fast().
    int p = pos;
    if (synced && limit - p >= 16) {
      long w = buf.getLong(p);
      int h = (int) w & 0xff;
      if ((h & 1) == 0 && h > 2) {
        int bits = h >>> 1;
        int n = 31 - Integer.numberOfLeadingZeros(bits);
        out.reset(PacketKind.TNT_8, base + p, 1);
        out.tntCount = n;
        out.tntBits = bits & ~(1 << n);
        pos = p + 1;
        return Status.OK;
      }
      int n = fast(out, w, p);
      if (n > 0) {
        pos = p + n;
        return Status.OK;
      }
    }
    return slowNext(out);
  }

  private Status slowNext(Packet out) {
    if (!synced) {
      if (sync() < 0) {
        if (!everSynced && !noSyncReported && size() > 0) {
          noSyncReported = true;
          lastError =
              new DecodeError(0, DecodeError.NOSYNC, "no PSB in " + size() + " bytes of trace");
          return Status.ERROR;
        }
        return Status.END;
      }
    }
    if (limit - pos < 16 && !lastWindow) window(base + pos);
    if (pos > limit) { // only after an INVALID packet that libipt counts past the end
      lastError = new DecodeError(base + pos, DecodeError.TRUNCATED, "the last packet runs past the end of the trace");
      pos = limit;
      synced = false;
      return Status.ERROR;
    }
    if (pos >= limit) return Status.END;
    String err = decode(out);
    if (err == null) {
      pos += out.size;
      return Status.OK;
    }
    synced = false;
    return Status.ERROR;
  }

  // ---- packet decoding -------------------------------------------------------------------

  /**
   * The common packets (PAD, IP packets, CYC up to 8 bytes, MTC, TNT-64) decoded from one
   * 8-byte read; returns the size, or 0 to leave the packet to {@link #decode}. Needs 16
   * readable bytes at p.
   *
   * <p>Which packet comes next is as good as random to the processor, so a wrongly predicted
   * branch costs more than all the arithmetic of a packet: after the dispatch on the header
   * byte, no data-dependent branch for an IP packet's compression or a CYC's length (6% less
   * time per packet on the packet bench).
   */
  private int fast(Packet out, long w, int p) {
    // Split in small methods so that the JIT inlines each (it will not inline a large one).
    int h = (int) w & 0xff;
    switch (OPS[h]) {
      case OP_TIP: case OP_PGE: case OP_PGD: case OP_FUP:
        return fastIp(out, p, h);
      case OP_CYC:
        return fastCyc(out, w, p, h);
      case OP_MTC:
        out.reset(PacketKind.MTC, base + p, 2);
        out.payload = (w >>> 8) & 0xff;
        return 2;
      case OP_PAD:
        out.reset(PacketKind.PAD, base + p, 1);
        return 1;
      case OP_EXT:
        return (w & 0xff00) == 0xa300 ? fastTnt64(out, w, p) : 0;
      default:
        return 0;
    }
  }

  // By IPBytes (header bits 7:5): the packet's size (0: reserved), the payload's bits, the last
  // IP's bits kept above them, and the sign-extension shift (IPBytes 011: from bit 47 up).
  private static final int[] IP_SIZE = {1, 3, 5, 7, 7, 0, 9, 0};
  private static final long[] IP_MASK = {0, 0xffffL, 0xffffffffL, 0xffffffffffffL, 0xffffffffffffL, 0, -1L, 0};
  private static final long[] IP_KEEP = {0, ~0xffffL, ~0xffffffffL, 0, ~0xffffffffffffL, 0, 0, 0};
  private static final int[] IP_SIGN = {0, 0, 0, 16, 0, 0, 0, 0};
  /** The IP packet kind by header byte. */
  private static final PacketKind[] KIND_OF = new PacketKind[256];

  static {
    for (int h = 0; h < 256; h++) if (OPS[h] >= OP_TIP && OPS[h] <= OP_FUP) KIND_OF[h] = IP_KINDS[OPS[h]];
  }

  private int fastIp(Packet out, int p, int h) {
    int ipc = h >>> 5;
    int n = IP_SIZE[ipc];
    if (n <= 1) {
      if (n == 0) return 0; // reserved IPBytes: decode() reports it
      out.reset(KIND_OF[h], base + p, 1);
      out.ipSuppressed = true;
      return 1;
    }
    long raw = buf.getLong(p + 1) & IP_MASK[ipc];
    int sh = IP_SIGN[ipc];
    long ip = (((lastIp & IP_KEEP[ipc]) | raw) << sh) >> sh;
    out.reset(KIND_OF[h], base + p, n);
    out.ipBytes = ipc;
    out.payload = raw;
    out.ip = ip;
    lastIp = ip;
    return n;
  }

  private int fastCyc(Packet out, long w, int p, int h) {
    // Header bit 2 says payload bytes follow; each has 7 bits, and bit 0 set while more follow.
    long x = w >>> 8;
    int k = Long.numberOfTrailingZeros(~x & 0x0101010101010101L) >>> 3; // the last payload byte
    if (k >= 7) return 0; // longer than this read: decode() takes it (or finds it too long)
    int bytes = ((h >>> 2) & 1) * (k + 1);
    if (bytes == 1 && errata.skd007()) return 0; // a 2-byte CYC may be SKD007's: decode() looks
    x &= (1L << (8 * bytes)) - 1;
    long v = (h >>> 3)
        | ((x >>> 1) & 0x7fL) << 5 | ((x >>> 9) & 0x7fL) << 12 | ((x >>> 17) & 0x7fL) << 19
        | ((x >>> 25) & 0x7fL) << 26 | ((x >>> 33) & 0x7fL) << 33 | ((x >>> 41) & 0x7fL) << 40
        | ((x >>> 49) & 0x7fL) << 47;
    out.reset(PacketKind.CYC, base + p, 1 + bytes);
    out.payload = v;
    return 1 + bytes;
  }

  private int fastTnt64(Packet out, long w, int p) {
    long v = w >>> 16;
    if (v <= 1) return 0;
    int n = 63 - Long.numberOfLeadingZeros(v);
    out.reset(PacketKind.TNT_64, base + p, 8);
    out.tntCount = n;
    out.tntBits = v & ~(1L << n);
    return 8;
  }

  /** Decodes the packet at pos into out; returns null or the error kind (lastError is set). */
  private String decode(Packet out) {
    final ByteBuffer b = buf;
    final int p = pos;
    final int avail = limit - p;
    final long off = base + p;
    int h = b.get(p) & 0xff;
    switch (OPS[h]) {
      case OP_TNT8: {
        int bits = h >>> 1;
        int n = 31 - Integer.numberOfLeadingZeros(bits);
        out.reset(PacketKind.TNT_8, off, 1);
        out.tntCount = n;
        out.tntBits = bits & ~(1 << n);
        return null;
      }
      case OP_TIP:
      case OP_PGE:
      case OP_PGD:
      case OP_FUP:
        return ip(out, IP_KINDS[OPS[h]], h, off, p, avail);
      case OP_PAD:
        out.reset(PacketKind.PAD, off, 1);
        return null;
      case OP_MODE: {
        if (avail < 2) return truncated(off, "mode");
        int v = b.get(p + 1) & 0xff;
        int leaf = v >>> 5;
        if (leaf > 1) return error(off, DecodeError.BAD_PACKET, "mode packet with reserved leaf " + leaf);
        out.reset(leaf == 0 ? PacketKind.MODE_EXEC : PacketKind.MODE_TSX, off, 2);
        out.payload = v & 0x1f;
        return null;
      }
      case OP_TSC:
        if (avail < 8) return truncated(off, "tsc");
        out.reset(PacketKind.TSC, off, 8);
        out.payload = value(p + 1, 7);
        return null;
      case OP_MTC:
        if (avail < 2) return truncated(off, "mtc");
        out.reset(PacketKind.MTC, off, 2);
        out.payload = b.get(p + 1) & 0xff;
        return null;
      case OP_CYC: {
        long v = h >>> 3;
        int n = 1;
        int shl = 5;
        boolean more = (h & 4) != 0;
        while (more) {
          if (n >= avail) return truncated(off, "cyc");
          int x = b.get(p + n++) & 0xff;
          more = (x & 1) != 0;
          long bits = ((long) (x >>> 1)) << shl;
          shl += 7;
          if (shl > 64) return error(off, DecodeError.BAD_PACKET, "cyc packet longer than 64 bits");
          v |= bits;
        }
        if (n == 2 && errata.skd007() && (v & ~0x1fL) == 0x20 && avail > 2 && b.get(p + 2) == (byte) 0xf3) {
          // SKD007: an overflow cut this CYC after its first byte; its "second byte" is the
          // OVF's 02 and f3 follows. Like libipt: an OVF at the CYC's offset, 3 bytes consumed.
          out.reset(PacketKind.OVF, off, 3);
          out.payload = h;
          lastIp = 0;
          return null;
        }
        out.reset(PacketKind.CYC, off, n);
        out.payload = v;
        return null;
      }
      case OP_TRIG: {
        if (avail < 3) return truncated(off, "trig");
        int f = b.get(p + 1) & 0xff;
        int size = (f & 0x40) != 0 ? 5 : 3;
        if (avail < size) return truncated(off, "trig");
        out.reset(PacketKind.TRIG, off, size);
        out.payload = f;
        out.payload2 = (b.get(p + 2) & 0xff) | (size == 5 ? value(p + 3, 2) << 8 : 0);
        return null;
      }
      case OP_EXT:
        return ext(out, off, p, avail);
      default:
        return error(off, DecodeError.BAD_OPCODE, String.format("unknown opcode 0x%02x", h));
    }
  }

  private String ip(Packet out, PacketKind kind, int h, long off, int p, int avail) {
    int ipc = h >>> 5;
    int n;
    switch (ipc) {
      case 0: n = 0; break;
      case 1: n = 2; break;
      case 2: n = 4; break;
      case 3: case 4: n = 6; break;
      case 6: n = 8; break;
      default:
        return error(off, DecodeError.RESERVED_IPBYTES,
            kind.label() + " with reserved IPBytes " + Integer.toBinaryString(ipc));
    }
    if (avail < 1 + n) return truncated(off, kind.label());
    out.reset(kind, off, 1 + n);
    out.ipBytes = ipc;
    if (n == 0) {
      out.ipSuppressed = true;
      return null;
    }
    long raw = value(p + 1, n);
    long ip;
    switch (ipc) {
      case 1: ip = (lastIp & ~0xffffL) | raw; break;
      case 2: ip = (lastIp & ~0xffffffffL) | raw; break;
      case 3: ip = (raw << 16) >> 16; break;
      case 4: ip = (lastIp & ~0xffffffffffffL) | raw; break;
      default: ip = raw; break;
    }
    out.payload = raw;
    out.ip = ip;
    lastIp = ip;
    return null;
  }

  private String ext(Packet out, long off, int p, int avail) {
    final ByteBuffer b = buf;
    if (avail < 2) return truncated(off, "extended");
    int e = b.get(p + 1) & 0xff;
    switch (e) {
      case 0x82:
        if (avail < 16) return truncated(off, "psb");
        if (b.getLong(p) != PSB_WORD || b.getLong(p + 8) != PSB_WORD)
          return error(off, DecodeError.BAD_PACKET, "psb opcode without the psb pattern");
        out.reset(PacketKind.PSB, off, 16);
        lastIp = 0;
        return null;
      case 0xa3: {
        if (avail < 8) return truncated(off, "tnt.64");
        long v = value(p + 2, 6);
        if (v <= 1) return error(off, DecodeError.BAD_PACKET, "tnt.64 without branch bits");
        int n = 63 - Long.numberOfLeadingZeros(v);
        out.reset(PacketKind.TNT_64, off, 8);
        out.tntCount = n;
        out.tntBits = v & ~(1L << n);
        return null;
      }
      case 0x43: {
        if (avail < 8) return truncated(off, "pip");
        long v = value(p + 2, 6);
        out.reset(PacketKind.PIP, off, 8);
        out.payload = (v >>> 1) << 5;
        out.payload2 = v & 1;
        return null;
      }
      case 0xf3:
        out.reset(PacketKind.OVF, off, 2);
        lastIp = 0; // packets were lost: libipt's query decoder starts IP compression afresh here too
        return null;
      case 0x23: out.reset(PacketKind.PSBEND, off, 2); return null;
      case 0x83: out.reset(PacketKind.STOP, off, 2); return null;
      case 0x03:
        if (avail < 4) return truncated(off, "cbr");
        out.reset(PacketKind.CBR, off, 4);
        out.payload = b.get(p + 2) & 0xff;
        return null;
      case 0x73:
        if (avail < 7) return truncated(off, "tma");
        // Reserved bits set mean a corrupted TMA (erratum SKZ84); libipt rejects them too.
        if (b.get(p + 4) != 0 || (b.get(p + 6) & 0xfe) != 0) {
          if (!errata.skz84()) return error(off, DecodeError.BAD_PACKET, "tma with reserved bits set");
          // SKZ84: a corrupted packet, skipped whole. libipt 2.2 takes it as 8 bytes (one more
          // than a TMA), so the byte after it is skipped too, even past the end of the trace
          // (then the next packet is cut by the end); iptq does the same, to agree.
          out.reset(PacketKind.INVALID, off, 8);
          out.payload = value(p + 2, 5);
          out.payload2 = avail >= 8 ? b.get(p + 7) & 0xff : -1;
          return null;
        }
        out.reset(PacketKind.TMA, off, 7);
        out.payload = value(p + 2, 2);
        out.payload2 = value(p + 5, 2);
        return null;
      case 0xc8:
        if (avail < 7) return truncated(off, "vmcs");
        out.reset(PacketKind.VMCS, off, 7);
        out.payload = value(p + 2, 5) << 12;
        return null;
      case 0xc3:
        if (avail < 3) return truncated(off, "extended");
        if ((b.get(p + 2) & 0xff) != 0x88)
          return error(off, DecodeError.BAD_OPCODE,
              String.format("unknown opcode 0x02 0xc3 0x%02x", b.get(p + 2) & 0xff));
        if (avail < 11) return truncated(off, "mnt");
        out.reset(PacketKind.MNT, off, 11);
        out.payload = value(p + 3, 8);
        return null;
      case 0x62:
      case 0xe2:
        out.reset(PacketKind.EXSTOP, off, 2);
        out.payload = e >>> 7;
        return null;
      case 0xc2:
        if (avail < 10) return truncated(off, "mwait");
        out.reset(PacketKind.MWAIT, off, 10);
        out.payload = value(p + 2, 4);
        out.payload2 = value(p + 6, 4);
        return null;
      case 0x22:
        if (avail < 4) return truncated(off, "pwre");
        out.reset(PacketKind.PWRE, off, 4);
        out.payload = value(p + 2, 2);
        return null;
      case 0xa2:
        if (avail < 7) return truncated(off, "pwrx");
        out.reset(PacketKind.PWRX, off, 7);
        out.payload = value(p + 2, 5);
        return null;
      case 0x13:
        if (avail < 4) return truncated(off, "cfe");
        out.reset(PacketKind.CFE, off, 4);
        out.payload = b.get(p + 2) & 0xff;
        out.payload2 = b.get(p + 3) & 0xff;
        return null;
      case 0x53:
        if (avail < 11) return truncated(off, "evd");
        out.reset(PacketKind.EVD, off, 11);
        out.payload = b.get(p + 2) & 0x1f;
        out.payload2 = value(p + 3, 8);
        return null;
      default:
        if ((e & 0x1f) == 0x12) {
          int plc = (e >>> 5) & 3;
          if (plc > 1) return error(off, DecodeError.BAD_PACKET, "ptw with reserved payload size " + plc);
          int n = plc == 0 ? 4 : 8;
          if (avail < 2 + n) return truncated(off, "ptw");
          out.reset(PacketKind.PTW, off, 2 + n);
          out.payload = value(p + 2, n);
          out.payload2 = (e >>> 7) | (plc << 1);
          return null;
        }
        return error(off, DecodeError.BAD_OPCODE, String.format("unknown opcode 0x02 0x%02x", e));
    }
  }

  /** Reads n (1..8) little-endian bytes at index i; the caller checked they are there. */
  private long value(int i, int n) {
    if (i + 8 <= limit) {
      long v = buf.getLong(i);
      return n == 8 ? v : v & ((1L << (n * 8)) - 1);
    }
    long v = 0;
    for (int k = n - 1; k >= 0; k--) v = (v << 8) | (buf.get(i + k) & 0xff);
    return v;
  }

  private String truncated(long off, String what) {
    return error(off, DecodeError.TRUNCATED, "trace ends inside a " + what + " packet");
  }

  private String error(long off, String kind, String message) {
    lastError = new DecodeError(off, kind, message);
    return kind;
  }

  // ---- PSB search ------------------------------------------------------------------------

  /** The offset of the first PSB starting at or after {@code from} (run-end rule), or -1. */
  private long findPsb(long from) {
    moveTo(from);
    for (;;) {
      final ByteBuffer b = buf;
      int end = limit - 16;
      // Every PSB holds an 8-aligned word of its pattern (either phase), so look at aligned words
      // only and check the 8 places a PSB around a matching word can start.
      for (int q = (pos + 7) & ~7; q + 8 <= limit; q += 8) {
        long w = b.getLong(q);
        if (w != PSB_WORD && w != PSB_WORD_ODD) continue;
        for (int p = Math.max(pos, q - 7); p <= q && p <= end; p++) {
          if (b.getLong(p) == PSB_WORD && b.getLong(p + 8) == PSB_WORD) return runEnd(base + p);
        }
      }
      if (lastWindow) {
        pos = limit;
        return -1;
      }
      window(base + Math.max(pos, end + 1));
    }
  }

  /** Given a PSB at {@code psb}, the offset of the last PSB-sized stretch of its 02 82 run. */
  private long runEnd(long psb) {
    for (;;) {
      int p = (int) (psb - base);
      if (p + 18 > limit) {
        if (lastWindow) return psb;
        window(psb);
        p = 0;
        if (p + 18 > limit) return psb;
      }
      if (buf.get(p + 16) == 0x02 && buf.get(p + 17) == (byte) 0x82) psb += 2;
      else return psb;
    }
  }

  /** Makes {@code off} the current offset, mapping another window where needed. */
  private void moveTo(long off) {
    if (source == null) {
      pos = (int) Math.min(off, limit);
      return;
    }
    if (off >= base && off - base <= limit && (lastWindow || limit - (off - base) >= MAX_PACKET)) {
      pos = (int) (off - base);
      return;
    }
    window(off);
  }

  private void window(long off) {
    RawTrace.Window w = source.window(off);
    buf = w.buffer();
    base = off;
    pos = 0;
    limit = buf.limit();
    lastWindow = w.last();
  }
}
