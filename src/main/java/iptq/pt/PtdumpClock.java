package iptq.pt;

/**
 * Time as libipt 2.2's {@code ptdump} tracks it for {@code --time} and {@code --tcal}: the TSC
 * estimate (TSC, TMA, MTC, CYC, CBR) and the calibration of core cycles to fast-counter ticks
 * ("fcr", in 1/256 units) that CYC packets need. Unlike {@link PacketClock}, which estimates
 * time as exactly as the trace allows, this follows libipt's integer arithmetic and its error
 * cases step for step, so that the listing is ptdump's byte for byte, error lines included.
 * Each update returns 0 or a libipt error code ({@link #NO_TIME}, ...).
 *
 * <p>All values are unsigned as in libipt: 64-bit times, 32-bit CTC values (Java's int shifts
 * mask the count as x86 does).
 */
public final class PtdumpClock {
  /** libipt error codes that these updates return (negated, as libipt does). */
  public static final int INTERNAL = -1, BAD_PACKET = -5, BAD_CONTEXT = -6, BAD_CONFIG = -10, NO_TIME = -15;

  /** The fcr fixed-point shift: fcr = fast-counter ticks per cycle × 256. */
  public static final int FCR_SHR = 8;

  /** The configuration ptdump takes on its command line. */
  public record Config(int mtcFreq, int nomFreq, long cpuidEax, long cpuidEbx, Errata errata) {
    public static final Config DEFAULT = new Config(0, 0, 0, 0, Errata.NONE);
  }

  private final Config config;

  // the TSC estimate
  private long tsc, base, fc;
  private int ctc, ctcCyc, lostMtc, lostCyc;
  private boolean haveTsc, haveTma, haveMtc;

  // calibration
  private long fcr, minFcr, maxFcr, calTsc, cycTsc, cycMtc;
  private int calCtc;
  private boolean calHaveMtc, checkSkl168;

  public PtdumpClock(Config config) {
    this.config = config;
    reset();
  }

  /** Forgets everything (ptdump does after a decode error, before the next PSB). */
  public void reset() {
    tsc = base = fc = 0;
    ctc = ctcCyc = lostMtc = lostCyc = 0;
    haveTsc = haveTma = haveMtc = false;
    resetCalibration();
  }

  /** Forgets the calibration only (ptdump at an OVF, unless --keep-tcal-on-ovf). */
  public void resetCalibration() {
    fcr = maxFcr = calTsc = cycTsc = cycMtc = 0;
    minFcr = -1L;
    calCtc = 0;
    calHaveMtc = checkSkl168 = false;
  }

  // ---- the estimate -------------------------------------------------------------------------

  /** The estimated TSC (meaningful with {@link #haveTsc()}, relative otherwise). */
  public long tsc() {
    return tsc;
  }

  /** Whether a TSC packet has given the time. */
  public boolean haveTsc() {
    return haveTsc;
  }

  public int timeTsc(long value) {
    haveTsc = true;
    haveTma = haveMtc = false;
    tsc = base = value;
    ctc = 0;
    fc = 0;
    lostMtc = lostCyc = 0;
    return 0;
  }

  public int timeCbr(int ratio) {
    return ratio == 0 ? BAD_PACKET : 0; // libipt keeps the ratio, which ptdump's time does not use
  }

  public int timeTma(int ctcValue, int fastCounter) {
    if (!haveTsc || haveTma) return BAD_CONTEXT;
    if (haveMtc) return INTERNAL;
    int mtcHi = config.mtcFreq() + 8;
    int mask = (1 << mtcHi) - 1;
    haveTma = true;
    base -= fastCounter;
    fc += fastCounter;
    // With few enough CTC bits per MTC period the TMA tells the whole CTC: it then counts as an MTC.
    if (Integer.compareUnsigned(mtcHi, 16) <= 0) haveMtc = true;
    ctc = ctcCyc = ctcValue & mask;
    return 0;
  }

  public int timeMtc(int payload) {
    boolean hadTsc = haveTsc, hadTma = haveTma, hadMtc = haveMtc;
    if (hadTsc && !hadTma) return 0; // MTCs between a TSC and its TMA would look like a CTC wrap
    long b = base;
    int last = ctc;
    int freq = config.mtcFreq();
    int now = payload << freq;
    if (fc != 0 || lostCyc != 0 || !hadMtc) ctcCyc = now;
    haveMtc = true;
    fc = 0;
    ctc = now;
    lostCyc = 0;
    if (!hadMtc) {
      if (!hadTma) return 0; // where in this MTC period tracing started is unknown
      if ((last & ~0xffff) != 0) return INTERNAL;
      int lo = now & 0xffff, hi = now & ~0xffff;
      // the high CTC bits the TMA lacked, taken from this MTC (one period back if its low bits wrapped)
      if (Integer.compareUnsigned(lo, last) < 0) {
        hi -= 1 << 16;
        hi &= 0xff << freq;
      }
      last |= hi;
    }
    long[] delta = new long[1];
    int err = ctcDelta(delta, now, last);
    if (err < 0) {
      lostMtc++;
      return err;
    }
    err = ctcToFc(delta, delta[0]);
    if (err < 0) return err;
    b += delta[0];
    tsc = base = b;
    return 0;
  }

  /** A CYC with the calibration {@code fcrValue} (0: not calibrated, the cycles are lost). */
  public int timeCyc(long cycles, long fcrValue) {
    if (fcrValue == 0) {
      lostCyc++;
      return 0;
    }
    long cyc = cycles;
    long f = fc;
    if (f == 0) {
      long[] c = {cyc};
      int err = adjustCyc(c, fcrValue);
      if (err < 0) return err;
      cyc = c[0];
    }
    f += (cyc * fcrValue) >>> FCR_SHR;
    fc = f;
    tsc = base + f;
    return 0;
  }

  /** A CYC spanning several MTC periods: only the part after the last MTC counts from it. */
  private int adjustCyc(long[] cyc, long fcrValue) {
    if (ctc == ctcCyc) return 0;
    long[] v = new long[1];
    int err = ctcDelta(v, ctc, ctcCyc);
    if (err < 0) return err;
    err = ctcToFc(v, v[0]);
    if (err < 0) return err;
    long old = Long.divideUnsigned(v[0] << FCR_SHR, fcrValue);
    long total = cyc[0];
    if (Long.compareUnsigned(total, old) < 0) total = old;
    cyc[0] = total - old;
    return 0;
  }

  /** CTC ticks from {@code last} to {@code now}, allowing one wrap of the MTC's CTC bits. */
  private int ctcDelta(long[] out, int now, int last) {
    if (Integer.compareUnsigned(now, last) < 0) {
      now += 1 << (config.mtcFreq() + 8);
      if (Integer.compareUnsigned(now, last) < 0) return BAD_PACKET;
    }
    out[0] = Integer.toUnsignedLong(now - last);
    return 0;
  }

  /** CTC ticks to TSC (fast-counter) ticks: × CPUID.15H EBX / EAX. */
  private int ctcToFc(long[] out, long ctcTicks) {
    long eax = config.cpuidEax(), ebx = config.cpuidEbx();
    if (eax == 0 || ebx == 0) return BAD_CONFIG;
    out[0] = Long.divideUnsigned(ctcTicks * ebx, eax);
    return 0;
  }

  // ---- calibration --------------------------------------------------------------------------

  /** The calibration, or 0 when there is none yet (then {@link #calFcrError()} says why). */
  public long fcr() {
    return haveFcr() ? fcr : 0;
  }

  /** 0 when there is a calibration, else libipt's error for asking for it. */
  public int calFcrError() {
    return haveFcr() ? 0 : NO_TIME;
  }

  private boolean haveFcr() {
    return Long.compareUnsigned(minFcr, maxFcr) <= 0;
  }

  private int setFcr(long f) {
    fcr = f;
    if (Long.compareUnsigned(f, minFcr) < 0) minFcr = f;
    if (Long.compareUnsigned(f, maxFcr) > 0) maxFcr = f;
    return 0;
  }

  public void calPsb() {
    if (config.errata().skl168()) checkSkl168 = true;
  }

  /** A TSC outside PSB+: kept for the next one in PSB+, not used to calibrate (time may have been lost). */
  public int calTsc(long value) {
    calTsc = value;
    cycTsc = 0;
    return 0;
  }

  /** A TSC in PSB+: calibrates from the cycles counted since the last TSC, unless MTCs do. */
  public int calHeaderTsc(long value) {
    long last = calTsc, cyc = cycTsc;
    calTsc = value;
    cycTsc = 0;
    if (last == 0 || cyc == 0) return 0;
    if (calHaveMtc) return 0;
    long t = value;
    if (Long.compareUnsigned(t, last) < 0) {
      t += 1L << 56;
      if (Long.compareUnsigned(t, last) < 0) return BAD_PACKET;
    }
    long delta = t - last;
    if ((delta & ~(-1L >>> FCR_SHR)) != 0) return INTERNAL;
    return setFcr(Long.divideUnsigned(delta << FCR_SHR, cyc));
  }

  /** A CBR outside PSB+: the frequency changed, calibration starts over. */
  public int calCbr(int ratio) {
    resetCalibration();
    return calHeaderCbr(ratio);
  }

  /** A CBR in PSB+: with the nominal ratio it gives the calibration directly. */
  public int calHeaderCbr(int ratio) {
    long p1 = config.nomFreq();
    if (p1 == 0) return 0;
    if (ratio == 0) return BAD_PACKET;
    return setFcr(Long.divideUnsigned(p1 << FCR_SHR, ratio));
  }

  public int calMtc(int payload) {
    int last = calCtc;
    boolean had = calHaveMtc;
    long cyc = cycMtc;
    boolean check = checkSkl168;
    checkSkl168 = false; // the erratum only concerns the first MTC after a PSB
    int now = payload << config.mtcFreq();
    if (!had) {
      cycMtc = 0;
      calCtc = now;
      calHaveMtc = true;
      return 0;
    }
    if (cyc == 0) return 0; // no cycles: try again over the combined period at the next MTC
    calHaveMtc = true;
    cycMtc = 0;
    calCtc = now;
    long[] v = new long[1];
    int err = ctcDelta(v, now, last);
    if (err < 0) return err;
    long ctcTicks = v[0];
    err = ctcToFc(v, ctcTicks);
    if (err < 0) return err;
    long f = v[0];
    if ((f & ~(-1L >>> FCR_SHR)) != 0) return INTERNAL;
    long newFcr = Long.divideUnsigned(f << FCR_SHR, cyc);
    if (check) {
      // SKL168: a CYC right before the PSB may have been dropped; skip this MTC when MTCs were
      // lost since the PSB or when too few cycles suggest a lost wrap CYC (every 4096 cycles).
      if (Integer.compareUnsigned(1 << config.mtcFreq(), (int) ctcTicks) < 0) return 0;
      if (config.mtcFreq() < 10 && haveFcr()) {
        long dfc = (fcr * (cyc + 0xf00)) >>> FCR_SHR;
        if (Long.compareUnsigned(dfc, f) < 0) return 0;
      }
    }
    return setFcr(newFcr);
  }

  public void calCyc(long cycles) {
    cycMtc += cycles;
    cycTsc += cycles;
  }

  /** An OVF with --keep-tcal-on-ovf: the calibration stays, what was being counted goes. */
  public void calOvf() {
    calTsc = cycTsc = cycMtc = 0;
    calCtc = 0;
    calHaveMtc = false;
  }
}
