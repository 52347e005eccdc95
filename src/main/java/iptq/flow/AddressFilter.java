package iptq.flow;

/**
 * The IP filter configuration the trace was recorded with: IA32_RTIT_CTL.ADDRn_CFG and
 * IA32_RTIT_ADDRn_A/B for n = 0..3, as ptxed's {@code --filter:addrN_cfg/_a/_b} give it. The
 * trace itself carries the filter's effect (TIP.PGE/TIP.PGD); the decoder needs the
 * configuration only to work around erratum SKL014 (a TIP.PGD without its IP after a direct
 * branch out of the filtered range), as libipt 2.2 does.
 */
public final class AddressFilter {
  /** ADDRn_CFG: the range enables tracing (FilterEn). */
  public static final int CFG_FILTER = 1;
  /** ADDRn_CFG: the range stops tracing (TraceStop). */
  public static final int CFG_STOP = 2;

  /** No filter configured. */
  public static final AddressFilter NONE = new AddressFilter(new int[4], new long[4], new long[4]);

  private final int[] cfg;
  private final long[] a;
  private final long[] b;

  private AddressFilter(int[] cfg, long[] a, long[] b) {
    this.cfg = cfg;
    this.a = a;
    this.b = b;
  }

  /** This configuration with range {@code n} (0..3) set; {@code cfg} 0..15. */
  public AddressFilter with(int n, int cfg, long a, long b) {
    if (n < 0 || n > 3) throw new IllegalArgumentException("filter range " + n + " (0 to 3)");
    if (cfg < 0 || cfg > 15) throw new IllegalArgumentException("ADDR" + n + "_CFG " + cfg + " (0 to 15)");
    int[] c = this.cfg.clone();
    long[] na = this.a.clone();
    long[] nb = this.b.clone();
    c[n] = cfg;
    na[n] = a;
    nb[n] = b;
    return new AddressFilter(c, na, nb);
  }

  /** Whether any range has a configuration (libipt applies SKL014 only then). */
  public boolean configured() {
    for (int c : cfg) if (c != 0) return true;
    return false;
  }

  /**
   * Whether code at {@code ip} is traced under this configuration: not inside a TraceStop range,
   * and inside a FilterEn range when there is any (A and B are both inclusive, unsigned).
   */
  public boolean traced(long ip) {
    for (int n = 0; n < 4; n++) {
      if (cfg[n] == CFG_STOP && inside(n, ip)) return false;
    }
    boolean anyFilter = false;
    for (int n = 0; n < 4; n++) {
      if (cfg[n] != CFG_FILTER) continue;
      anyFilter = true;
      if (inside(n, ip)) return true;
    }
    return !anyFilter;
  }

  private boolean inside(int n, long ip) {
    return Long.compareUnsigned(a[n], ip) <= 0 && Long.compareUnsigned(ip, b[n]) <= 0;
  }
}
