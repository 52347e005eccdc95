package iptq.table;

import iptq.pt.Packet;
import iptq.pt.PacketKind;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;

/** The {@code packets} table: one row per Intel PT packet. */
public final class PacketsTable extends TableWriter {
  private final BigIntVector segmentId = bigint("segment_id");
  private final BigIntVector offset = bigint("offset");
  private final VarCharVector kind = varchar("kind");
  private final SmallIntVector size = smallint("size");
  private final UInt8Vector ip = ubigint("ip");
  private final TinyIntVector ipBytes = tinyint("ip_bytes");
  private final UInt8Vector tntBits = ubigint("tnt_bits");
  private final TinyIntVector tntCount = tinyint("tnt_count");
  private final UInt8Vector payload = ubigint("payload");
  private final UInt8Vector payload2 = ubigint("payload2");
  private final UInt8Vector tsc = ubigint("tsc");
  private final BigIntVector ts = bigint("ts");

  public PacketsTable(BufferAllocator allocator, BatchSink sink) {
    super("packets", allocator, sink, DEFAULT_BATCH_ROWS);
  }

  /**
   * One packet as the decoder left it; {@code tscValue} is negative and {@code tsNs} is {@link
   * #NULL} when unknown.
   */
  public void add(long segment, Packet p, long tscValue, long tsNs) {
    boolean ipPacket = p.kind.hasIp();
    boolean tnt = p.kind.isTnt();
    set(segmentId, segment);
    set(offset, p.offset);
    set(kind, p.kind.label());
    set(size, p.size);
    setU64(ip, p.ip, ipPacket && !p.ipSuppressed);
    set(ipBytes, ipPacket ? p.ipBytes : NULL);
    setU64(tntBits, p.tntBits, tnt);
    set(tntCount, tnt ? p.tntCount : NULL);
    setU64(payload, p.payload, ipPacket || (!tnt && hasPayload(p.kind)));
    setU64(payload2, p.payload2, hasPayload2(p.kind));
    setU64(tsc, tscValue, tscValue >= 0);
    set(ts, tsNs);
    endRow();
  }

  private static boolean hasPayload(PacketKind k) {
    return switch (k) {
      case PAD, OVF, PSB, PSBEND, STOP -> false;
      default -> true;
    };
  }

  private static boolean hasPayload2(PacketKind k) {
    return switch (k) {
      case PIP, TMA, PTW, MWAIT, CFE, EVD, TRIG -> true;
      default -> false;
    };
  }
}
