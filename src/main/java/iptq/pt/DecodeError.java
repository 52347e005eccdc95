package iptq.pt;

/**
 * A problem found while decoding packets: where it was (byte offset in the trace), what kind of
 * problem, and a message for people. Kinds:
 *
 * <ul>
 *   <li>{@code bad-opcode}: the bytes at offset are no packet opcode (libipt: pte_bad_opc);
 *   <li>{@code bad-packet}: a known opcode with a reserved or impossible payload, e.g. a MODE
 *       leaf other than Exec/TSX, a TNT-64 without stop bit, a PTW payload size 2 or 3, a CYC
 *       longer than 64 bits, a PSB opcode not followed by the PSB pattern (libipt:
 *       pte_bad_packet);
 *   <li>{@code reserved-ipbytes}: TIP/TIP.PGE/TIP.PGD/FUP with IPBytes 101 or 111 (libipt
 *       reports these as pte_bad_packet too);
 *   <li>{@code truncated}: the trace ends inside a packet (libipt: pte_eos);
 *   <li>{@code nosync}: the trace holds no PSB at all, so nothing can be decoded.
 * </ul>
 *
 * After each of these the decoder resynchronises at the next PSB; {@link
 * PacketDecoder#skipped()} counts the bytes it passed over.
 */
public record DecodeError(long offset, String kind, String message) {
  public static final String BAD_OPCODE = "bad-opcode";
  public static final String BAD_PACKET = "bad-packet";
  public static final String RESERVED_IPBYTES = "reserved-ipbytes";
  public static final String TRUNCATED = "truncated";
  public static final String NOSYNC = "nosync";

  @Override
  public String toString() {
    return "0x" + Long.toHexString(offset) + ": " + kind + ": " + message;
  }
}
