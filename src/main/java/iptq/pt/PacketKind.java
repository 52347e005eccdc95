package iptq.pt;

/**
 * The Intel PT packet kinds (SDM Vol. 3, "Intel Processor Trace", packet table). {@link #label()}
 * is the name libipt's {@code ptdump} prints, so listings can be diffed against it.
 */
public enum PacketKind {
  PAD("pad"),
  TNT_8("tnt.8"),
  TNT_64("tnt.64"),
  TIP("tip"),
  TIP_PGE("tip.pge"),
  TIP_PGD("tip.pgd"),
  FUP("fup"),
  PIP("pip"),
  MODE_EXEC("mode.exec"),
  MODE_TSX("mode.tsx"),
  TSC("tsc"),
  MTC("mtc"),
  TMA("tma"),
  CYC("cyc"),
  CBR("cbr"),
  VMCS("vmcs"),
  OVF("ovf"),
  PSB("psb"),
  PSBEND("psbend"),
  STOP("stop"),
  MNT("mnt"),
  PTW("ptw"),
  EXSTOP("exstop"),
  MWAIT("mwait"),
  PWRE("pwre"),
  PWRX("pwrx"),
  CFE("cfe"),
  EVD("evd"),
  TRIG("trig"),
  /**
   * A packet libipt knows to be corrupted and skips whole: with erratum SKZ84 a TMA with reserved
   * bits set (payload = its 5 payload bytes; size 8 as libipt 2.2 counts it, the TMA and the byte
   * after it, then payload2 = that byte; at the end of the trace the 8th byte is missing, payload2
   * = -1, and the decoder reports the trace cut next).
   */
  INVALID("<invalid>");

  private static final PacketKind[] VALUES = values();
  private final String label;

  PacketKind(String label) {
    this.label = label;
  }

  /** ptdump's name for this packet, e.g. {@code "tip.pge"}. */
  public String label() {
    return label;
  }

  /** True for the four packets with an IP payload subject to IP compression. */
  public boolean hasIp() {
    return this == TIP || this == TIP_PGE || this == TIP_PGD || this == FUP;
  }

  /** True for TNT-8 and TNT-64. */
  public boolean isTnt() {
    return this == TNT_8 || this == TNT_64;
  }

  /** The kind with this {@link #ordinal()}, without allocating a values() array. */
  public static PacketKind of(int ordinal) {
    return VALUES[ordinal];
  }

  /** The kind whose {@link #label()} is {@code label}, or null. */
  public static PacketKind byLabel(String label) {
    for (PacketKind k : VALUES) if (k.label.equals(label)) return k;
    return null;
  }
}
