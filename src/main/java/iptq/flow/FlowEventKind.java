package iptq.flow;

/**
 * The {@code flow_events.kind} values, named as libipt's ptxed prints its events. What
 * {@code ip} and {@code payload} of {@link FlowSink#event} hold:
 *
 * <ul>
 *   <li>ENABLED, RESUMED: ip = where tracing (re)starts. RESUMED when it restarts where it was
 *       disabled.
 *   <li>DISABLED: ip = the FUP's IP for an asynchronous disable, else NO_IP; payload = the
 *       TIP.PGD's IP (the first address outside the filter), or NO_IP when suppressed.
 *   <li>INTERRUPT: ip = where the interrupted code stopped (FUP), payload = the handler (TIP).
 *   <li>OVERFLOW: ip = where decoding resumes, or NO_IP when it resumes with tracing disabled.
 *   <li>PAGING: payload = CR3 | NR bit (bit 0; CR3's low 5 bits are zero).
 *   <li>EXEC_MODE: payload = 16, 32 or 64.
 *   <li>TSX: ip = where it takes effect; payload = 1 begin, 0 commit, 2 abort.
 *   <li>STOP: none. VMCS: payload = VMCS base. EXSTOP: ip, or NO_IP.
 *   <li>MWAIT: payload = hints << 32 | extensions. PWRE: payload = state << 8 | sub-state, bit 16
 *       = hardware-initiated. PWRX: payload = last << 8 | deepest, bits 19:16 = wake reason.
 *   <li>PTWRITE: ip = the PTWRITE instruction (or NO_IP); payload = the value.
 *   <li>CBR: payload = core:bus ratio. MNT: payload = the maintenance payload.
 * </ul>
 */
public enum FlowEventKind {
  ENABLED("enabled"),
  RESUMED("resumed"),
  DISABLED("disabled"),
  INTERRUPT("interrupt"),
  OVERFLOW("overflow"),
  PAGING("paging"),
  VMCS("vmcs"),
  EXEC_MODE("exec-mode"),
  TSX("tsx"),
  STOP("stop"),
  EXSTOP("exstop"),
  MWAIT("mwait"),
  PWRE("pwre"),
  PWRX("pwrx"),
  PTWRITE("ptwrite"),
  CBR("cbr"),
  MNT("mnt");

  private final String label;

  FlowEventKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
