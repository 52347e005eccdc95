package iptq.image;

import java.util.Locale;

/**
 * A CodeView {@code RSDS} record: the GUID, age and PDB path that tie an image to its PDB. The
 * same record sits in a PE file's debug directory, in a minidump module and in ETW DbgID events.
 */
public record CodeViewRecord(byte[] guid, int age, String pdbPath) {
  public static final int RSDS = 0x53445352;

  /** The GUID as Windows prints it: {@code %08X-%04X-%04X-%02X%02X-%02X…}. */
  public String guidString() {
    return String.format(Locale.ROOT, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
        le32(0), le16(4), le16(6), guid[8] & 0xFF, guid[9] & 0xFF, guid[10] & 0xFF,
        guid[11] & 0xFF, guid[12] & 0xFF, guid[13] & 0xFF, guid[14] & 0xFF, guid[15] & 0xFF);
  }

  /** The debug id as symbol stores and Breakpad write it: GUID without dashes, then age in hex. */
  public String debugId() {
    return guidString().replace("-", "") + Integer.toHexString(age).toUpperCase(Locale.ROOT);
  }

  /** The PDB's file name, the last part of {@link #pdbPath()}. */
  public String pdbName() {
    int i = Math.max(pdbPath.lastIndexOf('\\'), pdbPath.lastIndexOf('/'));
    return pdbPath.substring(i + 1);
  }

  private long le32(int o) {
    return (guid[o] & 0xFFL) | (guid[o + 1] & 0xFFL) << 8 | (guid[o + 2] & 0xFFL) << 16 | (guid[o + 3] & 0xFFL) << 24;
  }

  private int le16(int o) {
    return (guid[o] & 0xFF) | (guid[o + 1] & 0xFF) << 8;
  }

  /** Parses an RSDS record of {@code size} bytes at {@code off}; null when it is not RSDS. */
  static CodeViewRecord parse(BinFile f, long off, long size) {
    if (size < 24) return null;
    f.check(off, size, "CodeView record");
    if (f.u32(off, "CodeView signature") != RSDS) return null;
    byte[] guid = f.bytes(off + 4, 16, "CodeView GUID");
    int age = (int) f.u32(off + 20, "CodeView age");
    String pdb = f.cstring(off + 24, (int) Math.min(size - 24, 4096), "CodeView PDB path");
    return new CodeViewRecord(guid, age, pdb);
  }

  @Override
  public String toString() {
    return "RSDS " + guidString() + " age " + age + " " + pdbPath;
  }
}
