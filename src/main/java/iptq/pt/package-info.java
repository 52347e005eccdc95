/**
 * The Intel PT packet layer: {@link iptq.pt.PacketDecoder} turns trace bytes (a {@link
 * java.nio.ByteBuffer}, or a file through {@link iptq.pt.RawTrace}) into {@link iptq.pt.Packet}s
 * with last-IP decompression and PSB synchronisation matching libipt's packet decoder; {@link
 * iptq.pt.PacketEncoder} writes any packet; {@link iptq.pt.PacketClock} estimates each packet's
 * TSC; {@link iptq.pt.PacketFormat} prints packets in the layout of libipt's {@code ptdump}.
 */
package iptq.pt;
