package iptq.pt;

/**
 * The processor errata whose effect on a trace libipt 2.2 works around, for one processor
 * ({@link #of(Cpu)}), or {@link #NONE} (decode by the specification, as without {@code --cpu}).
 * Which processors have which erratum is Intel's published list, as libipt 2.2 applies it; what
 * each workaround does belongs to the decoder stage it affects:
 *
 * <ul>
 *   <li>packet layer ({@link PacketDecoder}, {@code iptq packets}): {@link #skz84} (a TMA with
 *       reserved bits set is a corrupted packet, listed as {@code <invalid>} instead of being a
 *       decode error), {@link #skd007} (an OVF that cut a 2-byte CYC after its first byte is
 *       decoded as the OVF), {@link #skl168} (time calibration: CYC packets may be dropped
 *       right before a PSB, so the first MTC after one may not calibrate);
 *   <li>flow level (the query/event and instruction decoders): {@link #bdm70}, {@link #bdm64},
 *       {@link #skd010}, {@link #skd022}, {@link #skl014}, {@link #apl11}, {@link #apl12}
 *       (SKD007 reaches them through the packet decoder).
 * </ul>
 *
 * @param bdm70 PSB+ may contain unexpected packets (a FUP and MODE in PSB+ after a TIP.PGD)
 * @param bdm64 an incorrect LBR or PT packet may be recorded after a TSX abort
 * @param skd007 a buffer overflow may leave a partial CYC overlapping the OVF
 * @param skd022 a VM entry that clears TraceEn may generate a FUP
 * @param skd010 the FUP after an OVF may be dropped
 * @param skl014 a TIP.PGD may lack its target IP (with address filters)
 * @param apl12 an OVF may be followed by an unexpected FUP
 * @param apl11 an OVF may be followed by a TIP.PGD
 * @param skl168 CYC packets may be dropped right after a PSB+ (time calibration)
 * @param skz84 VMX TSC scaling/offsetting may corrupt packets (TMA reserved bits set)
 */
public record Errata(
    boolean bdm70,
    boolean bdm64,
    boolean skd007,
    boolean skd022,
    boolean skd010,
    boolean skl014,
    boolean apl12,
    boolean apl11,
    boolean skl168,
    boolean skz84) {

  /** No workaround: decode as the specification says. */
  public static final Errata NONE = new Errata(false, false, false, false, false, false, false, false, false, false);

  /**
   * A processor as {@code --cpu FAMILY/MODEL[/STEPPING]} names it (Intel's; the stepping does
   * not change the errata).
   */
  public record Cpu(int family, int model, int stepping) {
    /**
     * Reads {@code F/M[/S]} as libipt's tools do: each number decimal, {@code 0x} hex or
     * {@code 0} octal; family 0–65535, model and stepping 0–255; stepping 0 when left out.
     *
     * @throws IllegalArgumentException when {@code s} is not of that form
     */
    public static Cpu parse(String s) {
      String[] parts = s.split("/", -1);
      if (parts.length < 2 || parts.length > 3) throw bad(s);
      long f = number(parts[0], s), m = number(parts[1], s), st = parts.length == 3 ? number(parts[2], s) : 0;
      if (f > 0xffff || m > 0xff || st > 0xff) throw bad(s);
      return new Cpu((int) f, (int) m, (int) st);
    }

    private static long number(String p, String whole) {
      try {
        if (p.startsWith("0x") || p.startsWith("0X")) return Long.parseLong(p.substring(2), 16);
        if (p.length() > 1 && p.startsWith("0")) return Long.parseLong(p.substring(1), 8);
        if (p.isEmpty() || !Character.isDigit(p.charAt(0))) throw bad(whole);
        return Long.parseLong(p);
      } catch (NumberFormatException e) {
        throw bad(whole);
      }
    }

    private static IllegalArgumentException bad(String s) {
      return new IllegalArgumentException("cpu must be specified as f/m[/s], not " + s);
    }

    @Override
    public String toString() {
      return family + "/" + model + "/" + stepping;
    }
  }

  /** Whether libipt 2.2 knows this processor (knowing it, it may still have no erratum). */
  public static boolean known(Cpu cpu) {
    return lookup(cpu) != null;
  }

  /**
   * The errata of {@code cpu}; {@link #NONE} for a processor libipt 2.2 does not know (its tools
   * then print {@code [0: failed to determine errata: unknown cpu]} and decode by the spec).
   */
  public static Errata of(Cpu cpu) {
    Errata e = lookup(cpu);
    return e == null ? NONE : e;
  }

  /** The errata named as libipt names them (lower case), for messages and notes. */
  public java.util.List<String> names() {
    java.util.List<String> n = new java.util.ArrayList<>();
    if (bdm70) n.add("bdm70");
    if (bdm64) n.add("bdm64");
    if (skd007) n.add("skd007");
    if (skd022) n.add("skd022");
    if (skd010) n.add("skd010");
    if (skl014) n.add("skl014");
    if (apl12) n.add("apl12");
    if (apl11) n.add("apl11");
    if (skl168) n.add("skl168");
    if (skz84) n.add("skz84");
    return n;
  }

  // Families and models as libipt 2.2 lists them for each erratum (checked against the library
  // itself by ErrataTest).
  private static Errata lookup(Cpu cpu) {
    return switch (cpu.family()) {
      case 0x6 -> switch (cpu.model()) {
        // Broadwell
        case 0x3d, 0x47, 0x4f, 0x56 -> set("bdm70 bdm64");
        // Skylake, Kaby Lake, Coffee Lake, Comet Lake clients
        case 0x4e, 0x5e, 0x8e, 0x9e, 0xa5, 0xa6 -> set("bdm70 skd007 skd022 skd010 skl014 skl168");
        // Skylake, Cascade Lake and Ice Lake servers
        case 0x55, 0x6a, 0x6c -> set("bdm70 skd022 skl014 skz84");
        // Sapphire, Emerald and Granite Rapids
        case 0x8f, 0xad, 0xae, 0xcf -> set("bdm70 skd022 skz84");
        // Cannon Lake, Ice Lake, Tiger Lake and Rocket Lake clients
        case 0x66, 0x7d, 0x7e, 0x8c, 0x8d, 0xa7, 0xa8 -> set("bdm70 skd022 skl014");
        // Alder Lake, Raptor Lake, Meteor Lake, Lunar Lake, Arrow Lake, Panther Lake
        case 0x97, 0x9a, 0xaa, 0xac, 0xb5, 0xb7, 0xba, 0xbd, 0xbf, 0xc5, 0xc6, 0xcc, 0xd5 -> set("bdm70 skd022 apl11");
        // Goldmont
        case 0x5c, 0x5f -> set("apl12 apl11");
        // Goldmont Plus, Tremont and later Atom cores
        case 0x7a, 0x86, 0x96, 0x9c, 0xaf, 0xb6, 0xdd -> set("apl11");
        default -> null;
      };
      case 0x12 -> cpu.model() == 0x01 || cpu.model() == 0x03 ? set("bdm70 skd022 apl11") : null;
      case 0x13 -> cpu.model() == 0x01 ? set("bdm70 skd022 skz84") : null;
      default -> null;
    };
  }

  private static Errata set(String names) {
    java.util.Set<String> s = java.util.Set.of(names.split(" "));
    return new Errata(s.contains("bdm70"), s.contains("bdm64"), s.contains("skd007"), s.contains("skd022"),
        s.contains("skd010"), s.contains("skl014"), s.contains("apl12"), s.contains("apl11"), s.contains("skl168"),
        s.contains("skz84"));
  }
}
