package iptq.pt;

/**
 * Formats packets in the layout of libipt's {@code ptdump}: the offset in 16 hex digits, two
 * spaces, the packet name padded to 10 columns when a payload follows, one space, the payload
 * (same notation as ptdump: IPs with {@code ?} for the bits taken from the last IP, TNT bits as
 * {@code !} taken and {@code .} not taken, values in hex). Errors print as ptdump's {@code
 * [offset: error decoding packet: message]}.
 */
public final class PacketFormat {
  private PacketFormat() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Appends the listing line for {@code p} (without newline) and returns {@code sb}. */
  public static StringBuilder line(Packet p, StringBuilder sb, boolean showOffset) {
    if (showOffset) {
      hex(sb, p.offset, 16);
      sb.append("  ");
    }
    sb.append(p.kind.label());
    int payloadAt = sb.length();
    sb.append("          ".substring(0, Math.max(0, 10 - p.kind.label().length()))).append(' ');
    int before = sb.length();
    payload(p, sb);
    if (sb.length() == before) sb.setLength(payloadAt); // no payload: no padding, like ptdump
    return sb;
  }

  /** Appends ptdump's payload text for {@code p} (nothing for packets without payload). */
  public static StringBuilder payload(Packet p, StringBuilder sb) {
    switch (p.kind) {
      case TIP, TIP_PGE, TIP_PGD, FUP -> ipPayload(p, sb);
      case TNT_8, TNT_64 -> {
        for (int i = 0; i < p.tntCount; i++) sb.append(p.taken(i) ? '!' : '.');
      }
      case PIP -> {
        sb.append(Long.toHexString(p.payload));
        if (p.payload2 != 0) sb.append(", nr");
      }
      case VMCS, TSC, CYC, MNT -> sb.append(Long.toHexString(p.payload));
      case CBR, MTC -> sb.append(Long.toHexString(p.payload));
      case TMA -> sb.append(Long.toHexString(p.payload)).append(", ").append(Long.toHexString(p.payload2));
      case MODE_EXEC -> {
        int start = sb.length();
        flags(sb, p.csd() ? "cs.d" : "", p.csl() ? "cs.l" : "");
        if ((p.payload & 4) != 0) sb.append(sb.length() > start ? ", if" : "if"); // the IF bit, as libipt 2.2 shows it
      }
      case MODE_TSX -> flags(sb, (p.payload & 1) != 0 ? "intx" : "", (p.payload & 2) != 0 ? "abrt" : "");
      case EXSTOP -> {
        if (p.payload != 0) sb.append("ip");
      }
      case MWAIT -> {
        hex(sb, p.payload, 8);
        sb.append(", ");
        hex(sb, p.payload2, 8);
      }
      case PWRE -> {
        sb.append('c').append((p.pwreState() + 1) & 0xf).append('.').append((p.pwreSubState() + 1) & 0xf);
        if (ptdumpPwreHw(p)) sb.append(", hw");
      }
      case PWRX -> {
        int wr = p.pwrxWakeReason();
        int n = Integer.bitCount(wr & 0xd);
        String r = n != 1 ? "bad" : (wr & 1) != 0 ? "int" : (wr & 4) != 0 ? " st" : " hw";
        sb.append(r).append(": c").append((p.pwrxLast() + 1) & 0xf).append(", c").append((p.pwrxDeepest() + 1) & 0xf);
      }
      case PTW -> {
        sb.append(Long.toHexString((p.payload2 >>> 1) & 3)).append(": ").append(Long.toHexString(p.payload));
        if (p.ptwIp()) sb.append(", ip");
      }
      case CFE -> {
        int t = p.cfeType();
        sb.append(t);
        switch (t) {
          case 1, 9, 12, 14 -> sb.append(": ").append(p.payload2); // interrupt vectors, in decimal
          case 5 -> sb.append(": ").append(Long.toHexString(p.payload2)); // SIPI: a page number
          default -> {}
        }
        if (p.cfeIp()) sb.append(", ip");
      }
      case EVD -> sb.append(p.payload).append(": ").append(Long.toHexString(p.payload2));
      case TRIG -> {
        hex(sb, p.payload2 & 0xff, 2);
        if ((p.payload & 0x80) != 0) sb.append(", ip");
        if ((p.payload & 0x20) != 0) sb.append(", mult");
        if ((p.payload & 0x40) != 0) sb.append(", icnt: ").append(p.payload2 >>> 8);
      }
      default -> {}
    }
    return sb;
  }

  /**
   * PWRE's HW flag where libipt 2.2 reads it, payload bit 3 ({@link Packet#pwreHw()} reads bit 7,
   * as the SDM and Linux perf do): the listing prints what ptdump prints.
   */
  static boolean ptdumpPwreHw(Packet p) {
    return (p.payload & 0x08) != 0;
  }

  /**
   * ptdump's error line for a decode error, with libipt's wording for the error (so that the
   * listings diff cleanly); {@link DecodeError#message()} has the details.
   */
  public static String error(DecodeError e) {
    String what = switch (e.kind()) {
      case DecodeError.BAD_OPCODE -> "unknown opcode";
      case DecodeError.BAD_PACKET, DecodeError.RESERVED_IPBYTES -> "unknown packet";
      case DecodeError.TRUNCATED -> "reached end of trace stream";
      default -> e.message();
    };
    return "[" + Long.toHexString(e.offset()) + ": error decoding packet: " + what + "]";
  }

  private static void ipPayload(Packet p, StringBuilder sb) {
    sb.append(Integer.toHexString(p.ipBytes)).append(": ");
    switch (p.ipBytes) {
      case 0 -> sb.append("????????????????");
      case 1 -> hex(sb.append("????????????"), p.payload, 4);
      case 2 -> hex(sb.append("????????"), p.payload, 8);
      case 4 -> hex(sb.append("????"), p.payload, 12);
      default -> hex(sb, p.ip, 16);
    }
  }

  private static void flags(StringBuilder sb, String a, String b) {
    sb.append(a);
    if (!a.isEmpty() && !b.isEmpty()) sb.append(", ");
    sb.append(b);
  }

  /** Appends {@code v} as exactly {@code digits} lower-case hex digits. */
  public static StringBuilder hex(StringBuilder sb, long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) sb.append(HEX[(int) (v >>> (i * 4)) & 0xf]);
    return sb;
  }
}
