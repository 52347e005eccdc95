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
 *   <li>PTWRITE: ip = the PTWRITE instruction (or NO_IP); payload = the value; {@code data1} of
 *       {@link FlowSink#eventData} is 1 when the trace gave the IP (a FUP), 0 when the decoder
 *       found the instruction itself.
 *   <li>CBR: payload = core:bus ratio. MNT: payload = the maintenance payload.
 *   <li>Event trace (CFE packets, with the EVD packets before them): INTR (an interrupt or
 *       exception): payload = vector, bit 8 set when the CR2 of a page fault came with it (then
 *       {@code data1} of {@link FlowSink#eventData} is CR2). VMEXIT: payload bits 7:0 = vector
 *       with bit 8 set (a VM exit for an interrupt), bit 9 = the exit reason came ({@code
 *       data1}), bit 10 = the exit qualification came ({@code data2}). SIPI, UINTR, SWINTR:
 *       payload = vector. IRET, SMI, RSM, INIT, VMENTRY, SHUTDOWN, UIRET, SYSCALL: none. ip =
 *       where the event took place (the CFE's FUP, or the FUP of the interrupt it came with),
 *       or NO_IP.
 *   <li>TRIG (trigger tracing): payload = the trigger bits (TRBV), bit 8 = more triggers fired
 *       (MULT); ip = the instruction it is attributed to (ICNT instructions after its anchor),
 *       or NO_IP.
 *   <li>IFLAGS (event trace): payload = EFLAGS.IF (1 interrupts enabled); ip = where it applies.
 *   <li>TICK: a timing packet's time reaching the walk (ptxed's {@code --event:tick}); ip = the
 *       instruction the trace item it came with belongs to.
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
  MNT("mnt"),
  INTR("intr"),
  IRET("iret"),
  SMI("smi"),
  RSM("rsm"),
  SIPI("sipi"),
  INIT("init"),
  VMENTRY("vmentry"),
  VMEXIT("vmexit"),
  SHUTDOWN("shutdown"),
  UINTR("uintr"),
  UIRET("uiret"),
  SWINTR("swintr"),
  SYSCALL("syscall"),
  TRIG("trig"),
  IFLAGS("iflags"),
  TICK("tick");

  private final String label;

  FlowEventKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
