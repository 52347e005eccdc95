package iptq.x86;

/** The processor's operating mode for code fetch, as MODE.Exec reports it (CS.L, CS.D). */
public enum Mode {
  BITS16(16),
  BITS32(32),
  BITS64(64);

  private final int bits;

  Mode(int bits) {
    this.bits = bits;
  }

  /** 16, 32 or 64. */
  public int bits() {
    return bits;
  }

  /**
   * The mode MODE.Exec's CS.L and CS.D bits give; null for CS.L=1 with CS.D=1, which is
   * reserved (libipt calls it ptem_unknown).
   */
  public static Mode of(boolean csl, boolean csd) {
    if (csl) {
      return csd ? null : BITS64;
    }
    return csd ? BITS32 : BITS16;
  }
}
