package iptq.capture;

/**
 * Which privilege levels the processor traces: the {@code CodeMode} of WPR's
 * {@code ProcessorTrace} element, and on the wire the TraceCodeMode bits of the IPT event's
 * IptOption.
 */
public enum CodeMode {
  KERNEL("kernel", "Kernel"),
  USER("user", "User"),
  USER_KERNEL("userkernel", "UserKernel");

  private final String option;
  private final String wprValue;

  CodeMode(String option, String wprValue) {
    this.option = option;
    this.wprValue = wprValue;
  }

  /** The spelling on iptq's command line. */
  public String option() {
    return option;
  }

  /** The spelling in a .wprp file. */
  public String wprValue() {
    return wprValue;
  }

  public static CodeMode ofOption(String s) {
    for (CodeMode m : values()) if (m.option.equalsIgnoreCase(s)) return m;
    throw new IllegalArgumentException(
        "code mode '" + s + "' is not one of kernel, user, userkernel");
  }
}
