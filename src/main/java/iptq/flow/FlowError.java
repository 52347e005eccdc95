package iptq.flow;

/** The {@code decode_errors.kind} names the flow decoder uses (the packet layer adds its own). */
public final class FlowError {
  private FlowError() {}

  /** A compressed return's TNT bit was 0. */
  public static final String RET_NOT_TAKEN = "ret-not-taken";
  /** A compressed return with nothing on the call stack. */
  public static final String RET_EMPTY_STACK = "ret-empty-stack";
  /** A conditional branch needed a TNT bit, the trace had something else. */
  public static final String TNT_NEEDED = "tnt-needed";
  /** An indirect branch or far transfer needed a TIP, the trace had something else. */
  public static final String TIP_NEEDED = "tip-needed";
  /** TNT bits left over where the trace moved on (PSB, disable, asynchronous event). */
  public static final String TNT_LEFT = "tnt-left";
  /** No code at the IP in the image. */
  public static final String NO_CODE = "no-code";
  /** The bytes at the IP do not decode as an instruction. */
  public static final String BAD_INSN = "bad-insn";
  /** A PSB+ status block disagrees with the decoder's state (IP or mode). */
  public static final String PSB_MISMATCH = "psb-mismatch";
  /** An event that makes no sense in the current state (enable while enabled, ...). */
  public static final String BAD_CONTEXT = "bad-context";
  /** A packet where the decoder cannot use it (e.g. a TNT while tracing is disabled). */
  public static final String BAD_SEQUENCE = "bad-sequence";
  /** Far too many instructions without consuming trace: the walk is in a loop of direct jumps. */
  public static final String NO_PROGRESS = "no-progress";
}
