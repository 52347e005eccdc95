package iptq.x86;

/**
 * One decoded instruction, filled in place by {@link X86Decoder#decode} so the hot path
 * allocates nothing: reuse one instance per decoding thread.
 */
public final class Insn {
  /** {@link #error}: decoded. */
  public static final int OK = 0;
  /** {@link #error}: the bytes end before the instruction does (more bytes may decode it). */
  public static final int TRUNCATED = 1;
  /** {@link #error}: not a valid instruction in this mode (undefined opcode, bad VEX map...). */
  public static final int INVALID = 2;
  /** {@link #error}: longer than the architectural limit of 15 bytes (#GP on hardware). */
  public static final int TOO_LONG = 3;

  /** Length in bytes, 1..15; when decoding failed, how far decoding got. */
  public int length;

  public InsnClass iclass = InsnClass.OTHER;

  /**
   * For {@link InsnClass#isDirect() direct} near branches: ip + length + displacement, wrapped
   * to the operand size (16-bit targets wrap at 64 KiB, 32-bit ones at 4 GiB). For
   * {@link InsnClass#JMPABS}: its absolute target (the walk takes the TIP's, as libipt 2.2).
   * Else 0.
   */
  public long target;

  /** {@link #OK}, {@link #TRUNCATED}, {@link #INVALID} or {@link #TOO_LONG}. */
  public int error;

  public static String errorName(int error) {
    switch (error) {
      case OK:
        return "ok";
      case TRUNCATED:
        return "truncated";
      case INVALID:
        return "invalid";
      case TOO_LONG:
        return "longer than 15 bytes";
      default:
        return "error " + error;
    }
  }

  @Override
  public String toString() {
    return error != OK
        ? "Insn[" + errorName(error) + " after " + length + " bytes]"
        : "Insn[len=" + length + " " + iclass + (iclass.isDirect() ? " -> 0x" + Long.toHexString(target) : "") + "]";
  }
}
