package iptq.pt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The packet listing of libipt 2.2's {@code ptdump}, byte for byte, with its options: columns
 * (offset, raw bytes, packet name, payload, a tracking column: the last IP, the execution mode,
 * the estimated TSC or the calibration, the CR3 of PIP, the VMCS base, the CFE/EVD type),
 * ptdump's bracketed error lines where it prints them, and how it goes on after a decode error
 * (the next PSB, with IP and time tracking started afresh).
 *
 * <p>What ptdump does not print — a packet cut off by the end of the trace, a trace without any
 * PSB — {@link #list} returns as a note for the caller to tell on standard error, so that
 * standard output stays ptdump's.
 */
public final class PtdumpListing {
  /** ptdump's display options. */
  public record Options(
      boolean showOffset,
      boolean showRaw,
      boolean lastIp,
      boolean execMode,
      boolean time,
      boolean tcal,
      boolean timeDelta,
      boolean quiet,
      boolean noPad,
      boolean noSync,
      boolean noTcal,
      boolean noWallClock,
      boolean noTiming,
      boolean noCyc,
      boolean keepTcalOnOvf) {
    public static final Options DEFAULT =
        new Options(true, false, false, false, false, false, false, false, false, false, false, false, false, false, false);

    boolean trackTime() {
      return time || tcal;
    }
  }

  // ptdump's column buffers, each at most size-1 characters
  private static final int OFFSET = 17, RAW = 33, OPCODE = 10, PAYLOAD = 25, EXTENDED = 48, ID = 5, TRACK = 17;

  private final Options opt;
  private final PtdumpClock clock;
  private final Appendable out;
  private final StringBuilder line = new StringBuilder(160);
  private final StringBuilder payload = new StringBuilder(64);
  private final byte[] bytes = new byte[32];

  // ptdump's last-IP tracking, independent of the decoder's: a PSB does not reset it, an error does
  private long lastIp;
  private boolean haveIp, suppressed;
  private boolean inHeader;
  private long lastTsc, lastFcr; // for --time-delta

  // per packet
  private String id;
  private String track;
  private boolean skip, skipTime, skipTcal;

  public PtdumpListing(Options opt, PtdumpClock.Config config, Appendable out) {
    this.opt = opt;
    this.clock = new PtdumpClock(config);
    this.out = out;
  }

  /**
   * Lists every packet {@code d} decodes (from its first PSB, or from its start with {@code
   * --no-sync}). Returns null, or what ptdump passes over in silence: the trace holds no PSB, or
   * ends inside a packet.
   */
  public String list(PacketDecoder d) {
    if (opt.noSync()) d.syncAt(0);
    Packet p = new Packet();
    for (PacketDecoder.Status s; (s = d.next(p)) != PacketDecoder.Status.END; ) {
      if (s == PacketDecoder.Status.ERROR) {
        DecodeError e = d.lastError();
        switch (e.kind()) {
          case DecodeError.NOSYNC:
            return e.message() + "; ptdump prints nothing";
          case DecodeError.TRUNCATED:
            return "the trace ends inside a packet at offset 0x" + Long.toHexString(e.offset())
                + " (" + e.message() + "); ptdump stops there without a word";
          default:
            diag(e.offset(), "error decoding packet", e.kind().equals(DecodeError.BAD_OPCODE) ? "unknown opcode" : "unknown packet");
            resetTracking();
        }
        continue;
      }
      packet(d, p);
    }
    return null;
  }

  private void resetTracking() {
    haveIp = suppressed = false;
    lastIp = 0;
    inHeader = false;
    clock.reset();
    lastTsc = lastFcr = 0;
  }

  private void packet(PacketDecoder d, Packet p) {
    payload.setLength(0);
    id = null;
    track = null;
    skip = skipTime = skipTcal = false;
    String name = p.kind.label();
    switch (p.kind) {
      case PSB -> {
        if (opt.trackTime()) clock.calPsb();
        inHeader = true;
      }
      case PSBEND -> inHeader = false;
      case PAD -> skip = opt.noPad();
      case OVF -> {
        if (opt.trackTime()) {
          if (opt.keepTcalOnOvf()) clock.calOvf();
          else clock.resetCalibration();
        }
      }
      case TIP, TIP_PGE, TIP_PGD, FUP -> {
        PacketFormat.payload(p, payload);
        if (opt.lastIp()) trackLastIp(p);
      }
      case PIP -> {
        PacketFormat.payload(p, payload);
        tracking("cr3", hex16(p.payload));
      }
      case VMCS -> {
        PacketFormat.payload(p, payload);
        tracking("vmcs", hex16(p.payload));
      }
      case MODE_EXEC -> {
        PacketFormat.payload(p, payload);
        if (opt.execMode()) {
          int bits = p.execBits();
          tracking("em", bits == 0 ? "unknown" : bits + "-bit");
        }
      }
      case TSC -> {
        PacketFormat.payload(p, payload);
        if (opt.trackTime()) {
          if (!opt.noTcal()) calibrated(p, inHeader ? clock.calHeaderTsc(p.payload) : clock.calTsc(p.payload));
          updated(p, clock.timeTsc(p.payload));
          trackTime(p);
        }
        if (opt.noTiming()) skip = true;
      }
      case CBR -> {
        PacketFormat.payload(p, payload);
        if (opt.trackTime()) {
          int ratio = (int) p.payload;
          if (!opt.noTcal()) calibrated(p, inHeader ? clock.calHeaderCbr(ratio) : clock.calCbr(ratio));
          updated(p, clock.timeCbr(ratio));
          skipTime = true; // a CBR does not move time
          trackTime(p);
        }
        if (opt.noTiming()) skip = true;
      }
      case TMA -> {
        PacketFormat.payload(p, payload);
        if (opt.trackTime()) {
          updated(p, clock.timeTma((int) p.payload, (int) p.payload2));
          skipTcal = true;
          trackTime(p);
        }
        if (opt.noTiming()) skip = true;
      }
      case MTC -> {
        PacketFormat.payload(p, payload);
        if (opt.trackTime()) {
          if (!opt.noTcal()) calibrated(p, clock.calMtc((int) p.payload));
          updated(p, clock.timeMtc((int) p.payload));
          trackTime(p);
        }
        if (opt.noTiming()) skip = true;
      }
      case CYC -> {
        PacketFormat.payload(p, payload);
        if (opt.trackTime() && !opt.noCyc()) {
          long fcr = 0;
          if (!opt.noTcal()) {
            int err = clock.calFcrError();
            if (err < 0) diag(p.offset, "calibration error", err);
            else fcr = clock.fcr();
            clock.calCyc(p.payload);
          }
          int err = clock.timeCyc(p.payload, fcr);
          if (err < 0) diag(p.offset, "error updating time", err);
          else if (fcr == 0) diag(p.offset, "error updating time: no calibration", (String) null);
          skipTcal = true;
          trackTime(p);
        }
        if (opt.noTiming() || opt.noCyc()) skip = true;
      }
      case CFE -> {
        PacketFormat.payload(p, payload);
        tracking("type", cfeType(p.cfeType()));
      }
      case EVD -> {
        PacketFormat.payload(p, payload);
        tracking("type", evdType((int) p.payload));
      }
      default -> PacketFormat.payload(p, payload);
    }
    print(d, p, name);
  }

  private void tracking(String i, String value) {
    id = i;
    track = value;
  }

  private void calibrated(Packet p, int err) {
    if (err < 0) diag(p.offset, "error calibrating time", err);
  }

  private void updated(Packet p, int err) {
    if (err < 0) diag(p.offset, "error updating time", err);
  }

  private void trackLastIp(Packet p) {
    id = "ip";
    switch (p.ipBytes) {
      case 0 -> suppressed = true;
      case 1 -> setIp((lastIp & ~0xffffL) | (p.payload & 0xffff));
      case 2 -> setIp((lastIp & ~0xffffffffL) | (p.payload & 0xffffffffL));
      case 3 -> setIp((p.payload << 16) >> 16);
      case 4 -> setIp((lastIp & ~0xffffffffffffL) | (p.payload & 0xffffffffffffL));
      default -> setIp(p.payload);
    }
    if (!haveIp) {
      track = "<unavailable>";
      diag(p.offset, "error tracking last-ip", "no ip");
    } else {
      track = suppressed ? "<suppressed>" : hex16(lastIp);
    }
  }

  private void setIp(long ip) {
    lastIp = ip;
    haveIp = true;
    suppressed = false;
  }

  private void trackTime(Packet p) {
    if (opt.tcal() && !skipTcal) {
      id = "fcr";
      int err = clock.calFcrError();
      if (err < 0) {
        track = "<unavailable>";
        diag(p.offset, "error printing time", err);
      } else {
        long fcr = clock.fcr();
        if (opt.timeDelta()) {
          BigDecimal delta = fcrValue(fcr).subtract(fcrValue(lastFcr)).setScale(3, RoundingMode.HALF_EVEN);
          track = (delta.signum() < 0 ? "" : "+") + delta.toPlainString();
          lastFcr = fcr;
        } else {
          track = fcrValue(fcr).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
        }
      }
    }
    if (opt.time() && !skipTime) {
      id = "tsc";
      long tsc = clock.tsc();
      if (!clock.haveTsc() && !opt.noWallClock()) {
        diag(p.offset, "error printing time", PtdumpClock.NO_TIME);
        track = "<unavailable>";
        return;
      }
      if (opt.timeDelta()) {
        track = Long.compareUnsigned(lastTsc, tsc) <= 0
            ? "+" + Long.toHexString(tsc - lastTsc) : "-" + Long.toHexString(lastTsc - tsc);
        lastTsc = tsc;
      } else {
        track = hex16(tsc);
      }
    }
  }

  /** fcr / 256 exactly, as ptdump prints it (C's %.3f of an exact binary fraction: ties to even). */
  private static BigDecimal fcrValue(long fcr) {
    return new BigDecimal(Long.toUnsignedString(fcr)).divide(BigDecimal.valueOf(256));
  }

  private void print(PacketDecoder d, Packet p, String name) {
    if (opt.showRaw() && p.offset + p.size > d.size()) {
      // an invalid packet counted past the end (SKZ84): ptdump cannot show its bytes and stops
      diag(p.offset, "bad packet size", "unknown packet");
      return;
    }
    if (skip || opt.quiet()) return;
    StringBuilder sb = line;
    sb.setLength(0);
    boolean sep = false;
    if (opt.showOffset()) {
      pad(sb, hex16(p.offset), OFFSET);
      sep = true;
    }
    if (opt.showRaw()) {
      // libipt reports SKD007's OVF (a cut CYC and the OVF, 3 bytes) with an OVF's size, 2
      int n = Math.min(d.copyBytes(p, bytes), p.kind == PacketKind.OVF ? 2 : p.size);
      if (sep) sb.append(' ');
      int start = sb.length();
      for (int i = 0; i < n && i < (RAW - 1) / 2; i++) PacketFormat.hex(sb, bytes[i] & 0xff, 2);
      while (sb.length() - start < RAW) sb.append(' ');
      sep = true;
    }
    if (sep) sb.append(' ');
    // TNT and TRIG payloads use ptdump's wider buffer (47 characters), the rest its standard one (24)
    boolean ext = p.kind.isTnt() || p.kind == PacketKind.TRIG;
    String pl = field(payload, ext ? EXTENDED : PAYLOAD);
    if (!pl.isEmpty()) pad(sb, name, OPCODE);
    else sb.append(name);
    if (id != null) {
      sb.append(' ');
      pad(sb, pl, PAYLOAD);
      sb.append(' ');
      pad(sb, field(id, ID), ID);
      if (track != null) sb.append(field(track, TRACK));
    } else if (!pl.isEmpty()) {
      sb.append(' ').append(pl);
    }
    sb.append('\n');
    write(sb);
  }

  /** ptdump's {@code [OFFSET: WHAT: ERROR]} line for a libipt error code. */
  private void diag(long offset, String what, int code) {
    diag(offset, what, errstr(code));
  }

  /** ptdump's {@code [OFFSET: WHAT: ERROR]} line, or {@code [OFFSET: WHAT]} without an error. */
  private void diag(long offset, String what, String error) {
    write(new StringBuilder().append('[').append(Long.toHexString(offset)).append(": ").append(what)
        .append(error == null ? "" : ": " + error).append("]\n"));
  }

  private static String errstr(int code) {
    return switch (code) {
      case PtdumpClock.INTERNAL -> "internal error";
      case PtdumpClock.BAD_PACKET -> "unknown packet";
      case PtdumpClock.BAD_CONTEXT -> "unexpected packet context";
      case PtdumpClock.BAD_CONFIG -> "bad configuration";
      case PtdumpClock.NO_TIME -> "no timing information";
      default -> "error " + code;
    };
  }

  private void write(CharSequence s) {
    try {
      out.append(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String field(CharSequence s, int size) {
    return s.length() < size ? s.toString() : s.subSequence(0, size - 1).toString();
  }

  private static void pad(StringBuilder sb, String s, int width) {
    sb.append(s);
    for (int i = s.length(); i < width; i++) sb.append(' ');
  }

  private static String hex16(long v) {
    return PacketFormat.hex(new StringBuilder(16), v, 16).toString();
  }

  /** ptdump's names of the CFE types. */
  static String cfeType(int t) {
    return switch (t) {
      case 1 -> "intr";
      case 2 -> "iret";
      case 3 -> "smi";
      case 4 -> "rsm";
      case 5 -> "sipi";
      case 6 -> "init";
      case 7 -> "vmentry";
      case 8 -> "vmexit";
      case 9 -> "vmexit_intr";
      case 10 -> "shutdown";
      case 12 -> "uintr";
      case 13 -> "uiret";
      case 14 -> "swintr";
      case 15 -> "syscall";
      default -> "unknown";
    };
  }

  /** ptdump's names of the EVD types. */
  static String evdType(int t) {
    return switch (t) {
      case 0 -> "cr2";
      case 1 -> "vmxq";
      case 2 -> "vmxr";
      default -> "unknown";
    };
  }
}
