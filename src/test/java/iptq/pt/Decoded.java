package iptq.pt;

import java.util.ArrayList;
import java.util.List;

/** Test helper: everything a decoder returns for a trace, packets and errors in order. */
final class Decoded {
  final List<Packet> packets = new ArrayList<>();
  final List<DecodeError> errors = new ArrayList<>();
  /** Packets and errors interleaved, as canonical lines (see {@link #canonical}). */
  final List<String> lines = new ArrayList<>();
  long skipped;

  static Decoded of(PacketDecoder d) {
    Decoded r = new Decoded();
    Packet p = new Packet();
    for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
      if (s == PacketDecoder.Status.ERROR) {
        r.errors.add(d.lastError());
        r.lines.add(canonical(d.lastError()));
      } else {
        r.packets.add(p.copy());
        r.lines.add(canonical(p));
      }
    }
    r.skipped = d.skipped();
    return r;
  }

  static Decoded of(byte[] trace) {
    return of(new PacketDecoder(trace));
  }

  /** The line the libipt harness (src/test/c/ptdump_harness.c) prints for an error. */
  static String canonical(DecodeError e) {
    String kind = e.kind().equals(DecodeError.RESERVED_IPBYTES) ? DecodeError.BAD_PACKET : e.kind();
    return Long.toHexString(e.offset()) + " error " + kind;
  }

  /** The line the libipt harness prints for a packet, built from iptq's fields. */
  static String canonical(Packet p) {
    StringBuilder sb = new StringBuilder();
    // libipt reports SKD007's OVF (the cut CYC's byte and the OVF: 3 bytes) with an OVF's size
    sb.append(Long.toHexString(p.offset)).append(' ').append(p.kind == PacketKind.OVF ? 2 : p.size).append(' ');
    String h = Long.toHexString(p.payload), h2 = Long.toHexString(p.payload2);
    switch (p.kind) {
      case TIP, TIP_PGE, TIP_PGD, FUP ->
          sb.append(p.kind.label()).append(" ipc=").append(p.ipBytes).append(" raw=").append(h);
      case TNT_8, TNT_64 -> sb.append(p.kind.label()).append(" n=").append(p.tntCount)
          .append(" bits=").append(Long.toHexString(p.tntBits));
      case MODE_EXEC -> sb.append("mode.exec csl=").append(p.payload & 1).append(" csd=").append((p.payload >> 1) & 1);
      case MODE_TSX -> sb.append("mode.tsx intx=").append(p.payload & 1).append(" abrt=").append((p.payload >> 1) & 1);
      case PIP -> sb.append("pip cr3=").append(h).append(" nr=").append(p.payload2);
      case VMCS -> sb.append("vmcs base=").append(h);
      case CBR -> sb.append("cbr ratio=").append(h);
      case TSC -> sb.append("tsc tsc=").append(h);
      case TMA -> sb.append("tma ctc=").append(h).append(" fc=").append(h2);
      case MTC -> sb.append("mtc ctc=").append(h);
      case CYC -> sb.append("cyc value=").append(h);
      case MNT -> sb.append("mnt payload=").append(h);
      case EXSTOP -> sb.append("exstop ip=").append(p.payload);
      case MWAIT -> sb.append("mwait hints=").append(h).append(" ext=").append(h2);
      // libipt (2.0.5 and 2.2) reads PWRE's HW flag from payload bit 3; the SDM (and iptq's
      // pwreHw()) say bit 7. The diff compares the raw bit libipt reads.
      case PWRE -> sb.append("pwre state=").append(Integer.toHexString(p.pwreState()))
          .append(" sub=").append(Integer.toHexString(p.pwreSubState()))
          .append(" hw=").append((p.payload >> 3) & 1);
      case PWRX -> sb.append("pwrx last=").append(Integer.toHexString(p.pwrxLast()))
          .append(" deepest=").append(Integer.toHexString(p.pwrxDeepest()))
          .append(" int=").append(p.pwrxWakeReason() & 1)
          .append(" store=").append((p.pwrxWakeReason() >> 2) & 1)
          .append(" hw=").append((p.pwrxWakeReason() >> 3) & 1);
      case PTW -> sb.append("ptw plc=").append((p.payload2 >> 1) & 3).append(" ip=").append(p.payload2 & 1)
          .append(" payload=").append(h);
      // libipt 2.2 only (the kit's build of the harness)
      case CFE -> sb.append("cfe type=").append(Integer.toHexString(p.cfeType())).append(" vector=").append(h2)
          .append(" ip=").append(p.cfeIp() ? 1 : 0);
      case EVD -> sb.append("evd type=").append(h).append(" payload=").append(h2);
      case TRIG -> {
        boolean icntv = (p.payload & 0x40) != 0;
        sb.append("trig trbv=").append(Long.toHexString(p.payload2 & 0xff)).append(" ip=").append((p.payload >> 7) & 1)
            .append(" mult=").append((p.payload >> 5) & 1).append(" icntv=").append(icntv ? 1 : 0);
        if (icntv) sb.append(" icnt=").append(Long.toHexString(p.payload2 >>> 8));
      }
      case INVALID -> sb.append("invalid");
      default -> sb.append(p.kind.label());
    }
    return sb.toString();
  }
}
