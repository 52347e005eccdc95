package iptq.flow;

/**
 * Where the flow decoder's output goes, one call per row of the {@code blocks}, {@code branches},
 * {@code flow_events}, {@code decode_errors} and (when {@link #wantsInstructions()})
 * {@code instructions} tables. Blocks, branches and events share one sequence {@code seq} per
 * decoded trace, in execution order. Every method has an empty default so a sink takes only
 * what it needs. {@code ts} is the last TSC value the trace gave before the row (raw TSC ticks,
 * not yet converted), or {@link #NO_TS} before the first timing packet.
 */
public interface FlowSink {
  /** An IP that the trace did not give (suppressed, or not applicable). */
  long NO_IP = -1L;

  /** No timing packet seen yet. */
  long NO_TS = -1L;

  /** A run of straight-line code: {@code insns} instructions from startIp to endIp (the last one's address). */
  default void block(long seq, long startIp, long endIp, int insns, long ts) {}

  /**
   * A control transfer: the instruction at {@code fromIp} went to {@code toIp} ({@link #NO_IP}
   * where tracing stopped). {@code taken} is false only for a not-taken conditional branch.
   */
  default void branch(long seq, long fromIp, long toIp, BranchKind kind, boolean taken, long ts) {}

  /**
   * A trace event (see {@link FlowEventKind} for what {@code ip} and {@code payload} hold per
   * kind; {@link #NO_IP} where absent).
   */
  default void event(long seq, FlowEventKind kind, long ip, long payload, long ts) {}

  /**
   * An event with more data than one payload holds: event trace's INTR (data1 = CR2) and VMEXIT
   * (data1 = exit reason, data2 = exit qualification); which are valid the payload says (see
   * {@link FlowEventKind}). By default the same as {@link #event} without them.
   */
  default void eventData(long seq, FlowEventKind kind, long ip, long payload, long data1, long data2, long ts) {
    event(seq, kind, ip, payload, ts);
  }

  /**
   * A decode problem at byte {@code offset} of the trace, with the IP the decoder was at
   * ({@link #NO_IP} if none); decoding resumed at the next PSB after {@code skippedBytes}.
   * {@code kind} is a stable short name (see {@link FlowError}).
   */
  default void error(long offset, long ip, String kind, String message, long skippedBytes) {}

  /**
   * The trace ended while tracing was on: the walk stopped at {@code ip}, the next instruction,
   * which the trace does not prove ran (ptxed prints {@code [end of trace]}). No row of its own:
   * the rows before it are the last the trace proves. {@code seq} is the next, unused sequence number.
   */
  default void endOfTrace(long seq, long ip, long ts) {}

  /** One instruction, only called when {@link #wantsInstructions()}; {@code seq} is its block's. */
  default void instruction(long seq, long ip, int size) {}

  /** Whether {@link #instruction} should be called (it costs a call per instruction). */
  default boolean wantsInstructions() {
    return false;
  }
}
