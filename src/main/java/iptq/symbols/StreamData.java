package iptq.symbols;

import iptq.InputException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one MSF stream, read little-endian with every access checked against the stream's
 * length. Errors name the file offset the stream byte came from, so a user can find it in a hex
 * dump of the PDB.
 */
public final class StreamData {
  private final Msf msf;
  private final int stream;
  private final byte[] b;
  private final String what;

  StreamData(Msf msf, int stream, byte[] b, String what) {
    this.msf = msf;
    this.stream = stream;
    this.b = b;
    this.what = what;
  }

  public int length() {
    return b.length;
  }

  public InputException error(long pos, String problem) {
    return new InputException(msf.file().path(), msf.fileOffset(stream, pos),
        what + " (stream " + stream + ", byte " + pos + "): " + problem);
  }

  /** Fails unless {@code [pos, pos + len)} lies inside the stream. */
  public void check(long pos, long len, String field) {
    if (pos < 0 || len < 0 || pos > b.length || len > b.length - pos) {
      throw error(Math.max(0, Math.min(pos, b.length)), field + " (" + len + " bytes) lies past the end of the "
          + b.length + "-byte stream");
    }
  }

  public int u8(int pos, String field) {
    check(pos, 1, field);
    return b[pos] & 0xFF;
  }

  public int u16(int pos, String field) {
    check(pos, 2, field);
    return (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
  }

  public long u32(int pos, String field) {
    check(pos, 4, field);
    return (b[pos] & 0xFFL) | (b[pos + 1] & 0xFFL) << 8 | (b[pos + 2] & 0xFFL) << 16 | (b[pos + 3] & 0xFFL) << 24;
  }

  /** A 32-bit size or count that must be a non-negative int. */
  public int size32(int pos, String field) {
    long v = u32(pos, field);
    if (v > Integer.MAX_VALUE) throw error(pos, field + " 0x" + Long.toHexString(v) + " is negative or too large");
    return (int) v;
  }

  public byte[] bytes(int pos, int len, String field) {
    check(pos, len, field);
    byte[] out = new byte[len];
    System.arraycopy(b, pos, out, 0, len);
    return out;
  }

  /** A NUL-terminated UTF-8 string that must end before {@code end}. */
  public String cstring(int pos, int end, String field) {
    check(pos, Math.max(0, end - pos), field);
    int p = pos;
    while (p < end && b[p] != 0) p++;
    if (p >= end) throw error(pos, field + " is not NUL-terminated within its record");
    return iptq.Printable.of(new String(b, pos, p - pos, StandardCharsets.UTF_8));
  }

  /** Index of the NUL ending the string at {@code pos}, searching up to {@code end}; -1 if none. */
  int nulBefore(int pos, int end) {
    for (int p = pos; p < end && p < b.length; p++) if (b[p] == 0) return p;
    return -1;
  }
}
