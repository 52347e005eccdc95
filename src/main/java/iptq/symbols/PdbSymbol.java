package iptq.symbols;

/**
 * A symbol from a PDB: a public (S_PUB32, no size) or a procedure from a module stream
 * (S_GPROC32, S_LPROC32 and their _ID forms, with its code size). {@code rva} is -1 when the
 * segment names no section.
 */
public record PdbSymbol(int kind, int segment, long offset, long rva, long size, int flags, String name) {
  public static final int S_PUB32 = 0x110E, S_LPROC32 = 0x110F, S_GPROC32 = 0x1110,
      S_LPROC32_ID = 0x1146, S_GPROC32_ID = 0x1147;
  /** S_PUB32 flag bits. */
  public static final int PUB_CODE = 1, PUB_FUNCTION = 2;

  public boolean isProcedure() {
    return kind != S_PUB32;
  }

  public static String kindName(int kind) {
    return switch (kind) {
      case S_PUB32 -> "S_PUB32";
      case S_LPROC32 -> "S_LPROC32";
      case S_GPROC32 -> "S_GPROC32";
      case S_LPROC32_ID -> "S_LPROC32_ID";
      case S_GPROC32_ID -> "S_GPROC32_ID";
      default -> String.format("0x%04X", kind);
    };
  }
}
