package iptq.etl;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Windows GUIDs in their mixed-endian layout (Data1 u32, Data2 u16, Data3 u16 LE; Data4 bytes). */
public final class Guids {
  private Guids() {}

  public static UUID read(ByteBuffer b, int at) {
    long d1 = Integer.toUnsignedLong(b.getInt(at));
    long d2 = Short.toUnsignedLong(b.getShort(at + 4));
    long d3 = Short.toUnsignedLong(b.getShort(at + 6));
    long hi = d1 << 32 | d2 << 16 | d3;
    long lo = 0;
    for (int i = 0; i < 8; i++) lo = lo << 8 | (b.get(at + 8 + i) & 0xFF);
    return new UUID(hi, lo);
  }

  public static void write(ByteBuffer b, UUID g) {
    long hi = g.getMostSignificantBits();
    b.putInt((int) (hi >>> 32));
    b.putShort((short) (hi >>> 16));
    b.putShort((short) hi);
    long lo = g.getLeastSignificantBits();
    for (int i = 7; i >= 0; i--) b.put((byte) (lo >>> (8 * i)));
  }
}
