package iptq.symbols;

import iptq.image.CodeViewRecord;
import java.util.Locale;
import java.util.UUID;

/**
 * What ties an image to its PDB: the PDB's file name, GUID and age, as the image's CodeView RSDS
 * record gives them (the PDB's own info stream holds the same GUID and an age at least as high).
 */
public record PdbId(String name, UUID guid, int age) {
  /**
   * The name is reduced to a plain file name before anything looks it up: it comes from inside a
   * file (an RSDS record, an ETL DbgID event), and {@code ../../a.pdb}, {@code /etc/a.pdb} or
   * {@code C:\\a.pdb} must not lead outside the symbol folders.
   */
  public PdbId {
    name = plainName(name);
  }

  /** The last part of a path written with {@code /} or {@code \\}, without a drive; "" for {@code .} and {@code ..}. */
  public static String plainName(String path) {
    if (path == null) return "";
    String s = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    int colon = s.lastIndexOf(':');
    if (colon >= 0) s = s.substring(colon + 1); // C:a.pdb, or an NTFS stream name
    s = s.replace("\0", "");
    return s.equals(".") || s.equals("..") ? "" : s;
  }

  /** The id an image's RSDS record names; the name is the last part of its PDB path. */
  public static PdbId of(CodeViewRecord cv) {
    return new PdbId(cv.pdbName(), guidFromBytes(cv.guid(), 0), cv.age());
  }

  /**
   * A GUID as stored on disk (Data1 u32, Data2 u16, Data3 u16 little-endian, then 8 bytes) as a
   * UUID whose {@code toString()} is the GUID as Windows prints it.
   */
  public static UUID guidFromBytes(byte[] b, int off) {
    long d1 = (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    long d2 = (b[off + 4] & 0xFFL) | (b[off + 5] & 0xFFL) << 8;
    long d3 = (b[off + 6] & 0xFFL) | (b[off + 7] & 0xFFL) << 8;
    long lsb = 0;
    for (int i = 8; i < 16; i++) lsb = lsb << 8 | (b[off + i] & 0xFFL);
    return new UUID(d1 << 32 | d2 << 16 | d3, lsb);
  }

  /** {@code %08X%04X%04X} + the 8 last bytes in hex + the age as {@code %X}: the symbol store key and Breakpad debug id. */
  public static String key(UUID guid, int age) {
    return String.format(Locale.ROOT, "%016X%016X%X", guid.getMostSignificantBits(),
        guid.getLeastSignificantBits(), age);
  }

  public String key() {
    return key(guid, age);
  }

  /** The GUID in the usual dashed form, upper case. */
  public static String guidString(UUID guid) {
    return guid.toString().toUpperCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return name + " GUID " + guidString(guid) + " age " + age;
  }
}
