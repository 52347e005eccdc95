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
 *       on (see {@link #calibrated()}). Before any TMA, or before a ratio is known, MTC does not
 *       move time.
 *   <li>CYC counts core cycles since the previous CYC; with the nominal (max non-turbo) ratio
 *       from MSR_PLATFORM_INFO[15:8] and the last CBR, one core cycle is {@code nominal / cbr}
 *       TSC ticks. Without both, CYC does not move time.
 * </ul>
 *
 * Time never goes backwards: an MTC that lands before a CYC-advanced estimate keeps the larger
 * value. The estimate between timing packets is the last one (no interpolation), so its error
 * is at most the distance to the next timing packet.
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
  private long tsc = UNKNOWN;
  private boolean haveCtc; // ctc/ctcTsc valid
  private long ctc; // CTC bits (mtcFreq+7..0) at ctcTsc
  private long ctcTsc; // TSC at the CTC tick ctc
  private long ctcFrac; // remainder of the CTC->TSC division, so that MTCs do not drift
  private int cbr;
  private long cycFrac;
  private long num; // TSC ticks per `den` CTC ticks: from CPUID 0x15, or calibrated
  private long den;
  private boolean calibrated;
  private long tmaTsc = UNKNOWN; // TSC at the CTC tick of the last TMA
  private long ctcSinceTma; // CTC ticks counted by MTCs since that TMA
  private boolean mtcSinceTma;

  public PacketClock(Config config) {
    this.config = config;
    this.ctcMask = (1L << (config.mtcFreq() + 8)) - 1;
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
        cycFrac = 0;
      }
      case TMA -> {
        if (tsc == UNKNOWN) return;
        long now = p.payload & ctcMask;
        long at = tsc - p.payload2;
        if (haveCtc && mtcSinceTma && tmaTsc != UNKNOWN && (calibrated || den == 0)) {
          // Learn the ratio: CTC ticks counted since the last TMA against TSC ticks.
          long ticks = ctcSinceTma + ((now - ctc) & ctcMask);
          long tscTicks = at - tmaTsc;
          if (ticks > 0 && tscTicks > 0) {
            num = tscTicks;
            den = ticks;
            calibrated = true;
          }
        }
        ctc = now;
        ctcTsc = at;
        ctcFrac = 0;
        haveCtc = true;
        tmaTsc = at;
        ctcSinceTma = 0;
        mtcSinceTma = false;
      }
      case MTC -> {
        if (!haveCtc || tsc == UNKNOWN) return;
        long now = (p.payload << config.mtcFreq()) & ctcMask;
        long delta = (now - ctc) & ctcMask;
        ctc = now;
        ctcSinceTma += delta;
        mtcSinceTma = true;
        if (den == 0) return;
        long scaled = delta * num + ctcFrac;
        ctcTsc += scaled / den;
        ctcFrac = scaled % den;
        tsc = Math.max(tsc, ctcTsc);
        cycFrac = 0;
      }
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
}
