package iptq.pt;

/**
 * Estimates the time (in TSC ticks) of each packet from the timing packets before it. Feed it
 * every packet in trace order with {@link #update(Packet)}; {@link #tsc()} is then the estimate
 * for that packet, or {@link #UNKNOWN} before the first TSC packet.
 *
 * <ul>
 *   <li>TSC sets the time (bits 55:0; the upper bits of the previous estimate are kept).
 *   <li>TMA (in PSB+, after TSC) ties the crystal clock (CTC) to it: the TSC was {@code fc}
 *       ticks after the CTC reached {@code ctc}, so the CTC tick is at {@code tsc - fc} (as
 *       libipt reads FastCounter).
 *   <li>MTC carries CTC bits {@code mtcFreq+7 .. mtcFreq}: the CTC ticks since the last
 *       MTC/TMA (modulo 2^(mtcFreq+8)) times EBX/EAX of CPUID leaf 0x15 give TSC ticks. Without
 *       the CPUID ratio the clock calibrates itself: from one TSC+TMA to the next it counts the
 *       CTC ticks (through the MTCs in between) and the TSC ticks, and uses their ratio from then
 *       on (see {@link #calibrated()}). Before a ratio is known MTC does not move time.
 *   <li>CYC counts core cycles since the previous CYC; with the nominal (max non-turbo) ratio
 *       from MSR_PLATFORM_INFO[15:8] and the last CBR, one core cycle is {@code nominal / cbr}
 *       TSC ticks. Without both, CYC does not move time.
 * </ul>
 *
 * As in libipt, each MTC sets the time from the CTC alone (a CYC-advanced estimate is replaced),
 * and MTCs after a TSC without TMA do not move time. The estimate between timing packets is the
 * last one (no interpolation), so its error is at most the distance to the next timing packet.
 * The TSC/TMA/MTC estimates equal libipt's ({@code PacketClockDiffTest}), except that iptq
 * carries the remainder of each CTC-to-TSC division instead of dropping it.
 */
public final class PacketClock {
  /** The value of {@link #tsc()} when no time is known. */
  public static final long UNKNOWN = -1;

  /**
   * Timing parameters of the traced CPU.
   *
   * @param mtcFreq IA32_RTIT_CTL.MTCFreq (bits 17:14): MTC period is 2^mtcFreq CTC ticks
   * @param cpuid15Eax CPUID.15H:EAX, the TSC/CTC ratio denominator (0 = unknown)
   * @param cpuid15Ebx CPUID.15H:EBX, the TSC/CTC ratio numerator (0 = unknown)
   * @param nominalRatio MSR_PLATFORM_INFO[15:8], the TSC's bus ratio (0 = unknown)
   */
  public record Config(int mtcFreq, long cpuid15Eax, long cpuid15Ebx, int nominalRatio) {
    /**
     * MTCFreq 3 (Linux perf's default period); the CPUID ratio and nominal ratio unknown, so only
     * TSC and TMA give time until they are set.
     */
    public static final Config DEFAULT = new Config(3, 0, 0, 0);

    public Config {
      if (mtcFreq < 0 || mtcFreq > 15) throw new IllegalArgumentException("MTCFreq is 0-15: " + mtcFreq);
    }
  }

  private final Config config;
  private final long ctcMask;
  /** TMA carries CTC[15:0]; with MTCFreq > 8 the MTCs carry higher bits the TMA lacks. */
  private final boolean fullTma;
  private long tsc = UNKNOWN;
  private long lastTsc = UNKNOWN; // the last TSC packet's value
  private boolean haveTma; // a TMA since the last TSC
  private boolean anchored; // ctc/ctcTsc valid for MTC deltas
  private long ctc; // CTC bits (mtcFreq+7..0) at ctcTsc
  private long ctcTsc; // TSC at the CTC tick ctc
  private long ctcFrac; // remainder of the CTC->TSC division, so that MTCs do not drift
  private int cbr;
  private long cycFrac;
  private long num; // TSC ticks per `den` CTC ticks: from CPUID 0x15, or calibrated
  private long den;
  private boolean calibrated;
  private long calTsc = UNKNOWN; // calibration: TSC at the CTC tick of the last TMA
  private long calCtc; // the CTC value last counted
  private long calTicks; // CTC ticks counted by MTCs since that TMA
  private boolean calMtc;

  public PacketClock(Config config) {
    this.config = config;
    this.ctcMask = (1L << (config.mtcFreq() + 8)) - 1;
    this.fullTma = config.mtcFreq() + 8 <= 16;
    if (config.cpuid15Eax() != 0 && config.cpuid15Ebx() != 0) {
      num = config.cpuid15Ebx();
      den = config.cpuid15Eax();
    }
  }

  /**
   * True once the CTC:TSC ratio was learned from the trace (no CPUID 0x15 values given): then
   * {@link #ratio()} is that ratio.
   */
  public boolean calibrated() {
    return calibrated;
  }

  /** TSC ticks per CTC tick in use, or 0 when unknown. */
  public double ratio() {
    return den == 0 ? 0 : (double) num / den;
  }

  public PacketClock() {
    this(Config.DEFAULT);
  }

  /** The estimated TSC of the last packet given to {@link #update}, or {@link #UNKNOWN}. */
  public long tsc() {
    return tsc;
  }

  /** Accounts for packet {@code p}; afterwards {@link #tsc()} is its time. */
  public void update(Packet p) {
    switch (p.kind) {
      case TSC -> {
        long v = p.payload;
        tsc = tsc == UNKNOWN ? v : (tsc & ~((1L << 56) - 1)) | v;
        lastTsc = tsc;
        haveTma = false;
        anchored = false;
        cycFrac = 0;
      }
      case TMA -> tma(p.payload, p.payload2);
      case MTC -> mtc(p.payload);
      case CBR -> cbr = (int) p.payload;
      case CYC -> {
        if (tsc == UNKNOWN || cbr == 0 || config.nominalRatio() == 0) return;
        long scaled = p.payload * config.nominalRatio() + cycFrac;
        tsc += scaled / cbr;
        cycFrac = scaled % cbr;
      }
      default -> {}
    }
  }

  private void tma(long ctc16, long fc) {
    if (tsc == UNKNOWN || haveTma) return; // one TMA per TSC, as libipt
    long at = lastTsc - fc;
    if (fullTma) {
      long now = ctc16 & ctcMask;
      if (calTsc != UNKNOWN && calMtc && (calibrated || den == 0)) {
        // Learn the ratio: CTC ticks counted since the last TMA against TSC ticks.
        long ticks = calTicks + ((now - calCtc) & ctcMask);
        long tscTicks = at - calTsc;
        if (ticks > 0 && tscTicks > 0) {
          num = tscTicks;
          den = ticks;
          calibrated = true;
        }
      }
      calTsc = at;
      calCtc = now;
      calTicks = 0;
      calMtc = false;
    }
    ctc = ctc16 & ctcMask;
    ctcTsc = at;
    ctcFrac = 0;
    haveTma = true;
    anchored = fullTma;
  }

  private void mtc(long payload) {
    if (tsc == UNKNOWN) return;
    long now = (payload << config.mtcFreq()) & ctcMask;
    if (calTsc != UNKNOWN) {
      calTicks += (now - calCtc) & ctcMask;
      calCtc = now;
      calMtc = true;
    }
    // Without a TMA since the last TSC the CTC is not tied to the TSC: MTC does not move time
    // (as in libipt).
    if (!haveTma) return;
    if (!anchored) {
      // The TMA gave CTC[15:0] only: take the higher bits from this MTC, assuming no MTC was lost.
      long hi = now & ~0xffffL;
      if ((now & 0xffff) < ctc) hi -= 0x10000;
      ctc = (ctc | hi) & ctcMask;
      anchored = true;
    }
    long delta = (now - ctc) & ctcMask;
    ctc = now;
    if (den == 0) return;
    long scaled = delta * num + ctcFrac;
    ctcTsc += scaled / den;
    ctcFrac = scaled % den;
    tsc = ctcTsc;
    cycFrac = 0;
  }
}
