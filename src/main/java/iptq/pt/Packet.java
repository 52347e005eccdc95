package iptq.pt;

/**
 * One decoded packet. A mutable flyweight: {@link PacketDecoder#next(Packet)} overwrites it, so
 * decoding allocates nothing per packet; {@link #copy()} when a packet must be kept.
 *
 * <p>Fields by kind (fields not listed for a kind are 0/false):
 *
 * <ul>
 *   <li>all: {@link #kind}, {@link #offset} (byte offset of the first byte in the trace), {@link
 *       #size} (bytes, header included).
 *   <li>TIP, TIP_PGE, TIP_PGD, FUP: {@link #ipBytes} = the IPBytes field, bits 7:5 of the header
 *       (0, 1, 2, 3, 4 or 6: the compression code, not a byte count); {@link #payload} = the raw
 *       IP payload bytes as they stand in the packet, zero-extended; {@link #ip} = the full IP
 *       after last-IP decompression; {@link #ipSuppressed} when IPBytes = 0 (then ip = 0 and the
 *       last IP is unchanged).
 *   <li>TNT_8, TNT_64: {@link #tntCount} branch bits in {@link #tntBits}, stop bit removed. The
 *       first (oldest) branch is bit {@code tntCount-1}, the last is bit 0; 1 = taken. TNT-8 holds
 *       1–6 bits, TNT-64 1–47 (a TNT-64 without branch bits is a bad packet, as in libipt).
 *   <li>PIP: payload = CR3 (payload bits 47:1 shifted to 51:5, as libipt does); payload2 = NR bit.
 *   <li>MODE_EXEC: payload = mode bits 4:0 of the payload byte (bit 0 CS.L, bit 1 CS.D, bit 2 IF).
 *   <li>MODE_TSX: payload = bits 4:0 (bit 0 InTX, bit 1 TXAbort).
 *   <li>TSC: payload = TSC bits 55:0.
 *   <li>MTC: payload = the 8-bit CTC payload.
 *   <li>TMA: payload = CTC[15:0]; payload2 = FastCounter (9 bits).
 *   <li>CYC: payload = the cycle count.
 *   <li>CBR: payload = core:bus ratio (first payload byte).
 *   <li>VMCS: payload = VMCS base address (payload bits shifted left by 12).
 *   <li>MNT: payload = the 8-byte payload.
 *   <li>PTW: payload = the value (4 or 8 bytes: {@code size} is 6 or 10); payload2 bit 0 = IP
 *       flag (a FUP follows), bits 2:1 = the payload-size code (0 = 4 bytes, 1 = 8 bytes).
 *   <li>EXSTOP: payload = 1 when the IP bit is set (opcode {@code 02 E2}: a FUP follows).
 *   <li>MWAIT: payload = hints (EAX, 32 bits); payload2 = extensions (ECX, 32 bits).
 *   <li>PWRE: payload = the raw 16-bit payload (see {@link #pwreState()}, {@link
 *       #pwreSubState()}, {@link #pwreHw()}).
 *   <li>PWRX: payload = the raw 40-bit payload (see {@link #pwrxLast()}, {@link #pwrxDeepest()},
 *       {@link #pwrxWakeReason()}).
 *   <li>CFE: payload = first payload byte (bit 7 IP, bits 4:0 type); payload2 = vector.
 *   <li>EVD: payload = type (bits 4:0 of the first payload byte); payload2 = the 8-byte payload.
 *   <li>TRIG: payload = first payload byte (bit 7 IP, bit 6 ICNTV, bit 5 MULT); payload2 =
 *       second payload byte (TRBV) | ICNT &lt;&lt; 8 when ICNTV is set (then size = 5, else 3).
 *   <li>OVF: no payload; with erratum SKD007 an OVF that cut a CYC after its first byte has size 3
 *       (that byte, then {@code 02 f3}) and payload = the CYC's first byte.
 *   <li>PAD, PSB, PSBEND, STOP: no payload.
 * </ul>
 */
public final class Packet {
  public PacketKind kind;
  public long offset;
  public int size;

  public int ipBytes;
  public long ip;
  public boolean ipSuppressed;

  public int tntCount;
  public long tntBits;

  public long payload;
  public long payload2;

  /** Sets every field to its zero value except kind, offset and size. */
  void reset(PacketKind kind, long offset, int size) {
    this.kind = kind;
    this.offset = offset;
    this.size = size;
    ipBytes = 0;
    ip = 0;
    ipSuppressed = false;
    tntCount = 0;
    tntBits = 0;
    payload = 0;
    payload2 = 0;
  }

  public Packet copy() {
    Packet p = new Packet();
    p.set(this);
    return p;
  }

  /** Copies every field of {@code o} into this packet. */
  public Packet set(Packet o) {
    kind = o.kind;
    offset = o.offset;
    size = o.size;
    ipBytes = o.ipBytes;
    ip = o.ip;
    ipSuppressed = o.ipSuppressed;
    tntCount = o.tntCount;
    tntBits = o.tntBits;
    payload = o.payload;
    payload2 = o.payload2;
    return this;
  }

  /** TNT: whether branch {@code i} (0 = the first/oldest) was taken. */
  public boolean taken(int i) {
    return ((tntBits >>> (tntCount - 1 - i)) & 1) != 0;
  }

  /** MODE_EXEC: CS.L. */
  public boolean csl() {
    return (payload & 1) != 0;
  }

  /** MODE_EXEC: CS.D. */
  public boolean csd() {
    return (payload & 2) != 0;
  }

  /** MODE_EXEC: the operating mode, 64, 32 or 16, or 0 for the invalid CS.L=CS.D=1. */
  public int execBits() {
    if (csl()) return csd() ? 0 : 64;
    return csd() ? 32 : 16;
  }

  /** PWRE: resolved thread C-state (payload bits 15:12). */
  public int pwreState() {
    return (int) ((payload >>> 12) & 0xf);
  }

  /** PWRE: resolved thread sub C-state (payload bits 11:8). */
  public int pwreSubState() {
    return (int) ((payload >>> 8) & 0xf);
  }

  /** PWRE: C-state entry initiated by hardware (payload bit 7, SDM "HW"). */
  public boolean pwreHw() {
    return (payload & 0x80) != 0;
  }

  /** PWRX: last core C-state (payload bits 7:4). */
  public int pwrxLast() {
    return (int) ((payload >>> 4) & 0xf);
  }

  /** PWRX: deepest core C-state (payload bits 3:0). */
  public int pwrxDeepest() {
    return (int) (payload & 0xf);
  }

  /** PWRX: wake reason bits (payload bits 11:8: 0x1 interrupt, 0x4 store, 0x8 autonomous). */
  public int pwrxWakeReason() {
    return (int) ((payload >>> 8) & 0xf);
  }

  /** PTW: a FUP with the PTWRITE's IP follows. */
  public boolean ptwIp() {
    return (payload2 & 1) != 0;
  }

  /** CFE: the event type. */
  public int cfeType() {
    return (int) (payload & 0x1f);
  }

  /** CFE: a FUP follows. */
  public boolean cfeIp() {
    return (payload & 0x80) != 0;
  }

  /** The line {@code ptdump} prints for this packet (offset, name, payload). */
  @Override
  public String toString() {
    return PacketFormat.line(this, new StringBuilder(64), true).toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Packet p
        && kind == p.kind
        && offset == p.offset
        && size == p.size
        && ipBytes == p.ipBytes
        && ip == p.ip
        && ipSuppressed == p.ipSuppressed
        && tntCount == p.tntCount
        && tntBits == p.tntBits
        && payload == p.payload
        && payload2 == p.payload2;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(kind, offset, size, ip, tntBits, payload, payload2);
  }
}
