package iptq.flow;

import java.util.function.LongFunction;

/**
 * Renders the flow byte for byte as libipt 2.2's {@code ptxed} prints it: one line per
 * instruction (IP in 16 hex digits, {@code "? "} before it inside a transaction, then, unless
 * {@code --no-inst}, two spaces and the text), one bracketed line per event in ptxed's words
 * (IPs only with {@code --event:ip}; status updates of a PSB+ not at all), {@code [end of trace]}
 * and error lines {@code [OFFSET, IP: error: MESSAGE]} with libipt's messages. {@link FlowListing}
 * is the other layout: every event with its IPs, as the differential tests' C harness prints.
 */
public final class PtxedListing implements FlowSink {
  /**
   * What ptxed's options ask for. {@code blockDecoder}: ptxed's default decoder, whose blocks
   * {@code --block:show-blocks} shows and {@code --stat} counts; a block there runs on through
   * direct jumps unless {@code endOnJump}.
   */
  public record Options(boolean noInst, boolean quiet, boolean eventIp, boolean eventTime,
      boolean blockDecoder, boolean showBlocks, boolean endOnCall, boolean endOnJump, boolean statInsn,
      boolean statBlocks) {
    public Options(boolean noInst, boolean quiet, boolean eventIp, boolean eventTime) {
      this(noInst, quiet, eventIp, eventTime, true, false, false, false, false, false);
    }

    boolean stats() {
      return statInsn || statBlocks;
    }
  }

  private final FlowListing.Lines out;
  private final Options o;
  private final LongFunction<String> text;
  private final StatusSource status;
  private final StringBuilder sb = new StringBuilder(128);
  private boolean speculative;
  private boolean blockEnded = true;
  private long blocks;
  private int execMode;
  private long insns;

  /** Says whether the event being reported is a status update (ptxed does not print those). */
  public interface StatusSource {
    boolean statusUpdate();

    /** Whether an error now is one of synchronising at a PSB+ (ptxed's "sync error"). */
    default boolean syncing() {
      return false;
    }

    /** The decoder's position in the trace (the offset ptxed's check lines show). */
    default long offset() {
      return 0;
    }
  }

  /**
   * ptxed's {@code --check}: a second decoder's verdict on the instruction at an address, null
   * when it agrees with the walk's decoder, else what it found (printed as a check error).
   */
  public interface Check {
    String check(long ip, int size);
  }

  private Check check;

  /** Checks every instruction walked (listed or, when quiet, not) with {@code check}. */
  public PtxedListing checking(Check check) {
    this.check = check;
    return this;
  }

  /**
   * @param text instruction text by address (only used without {@code --no-inst})
   * @param status the decoder, for whether an event is a PSB+ status update
   */
  public PtxedListing(FlowListing.Lines out, Options o, LongFunction<String> text, StatusSource status) {
    this.out = out;
    this.o = o;
    this.text = text;
    this.status = status;
  }

  /** Instructions listed (or, when quiet, walked): ptxed's {@code --stat} count. */
  public long instructions() {
    return insns;
  }

  /** ptxed's statistics lines, as {@code --stat}, {@code --stat:insn}, {@code --stat:blocks} select. */
  public void printStats() {
    if (o.statInsn()) out.line("insn: " + insns + ".");
    if (o.statBlocks()) out.line("blocks:\t" + blocks + ".");
  }

  @Override
  public void block(long seq, long startIp, long endIp, int n, long ts) {
    if (!o.blockDecoder()) return;
    // libipt's block decoder starts a block after any branch but a direct jump or call (unless
    // asked to end there too) and after events; iptq's blocks also split at those.
    if (blockEnded) {
      blocks++;
      if (o.showBlocks() && !o.quiet()) out.line(o.stats() ? "[block " + Long.toHexString(blocks) + "]" : "[block]");
    }
    blockEnded = false;
  }

  @Override
  public void branch(long seq, long fromIp, long toIp, BranchKind kind, boolean taken, long ts) {
    // A direct call ends libipt's block as well, with or without --block:end-on-call (the kit
    // shows it: options-blocks.ptt); a direct jump only with --block:end-on-jump.
    blockEnded = !(kind == BranchKind.JMP && !o.endOnJump());
  }

  @Override
  public boolean wantsInstructions() {
    return true;
  }

  @Override
  public void instruction(long seq, long ip, int size) {
    insns++;
    if (o.quiet()) {
      check(ip, size);
      return;
    }
    out.insn(speculative, ip, o.noInst() || text == null ? null : text.apply(ip));
    check(ip, size);
  }

  private void check(long ip, int size) {
    if (check == null) return;
    String problem = check.check(ip, size);
    if (problem == null) return;
    sb.setLength(0);
    sb.append('[').append(Long.toHexString(status.offset())).append(", ").append(Long.toHexString(ip))
        .append(": check error: ").append(problem).append(']');
    out.line(sb);
  }

  @Override
  public void event(long seq, FlowEventKind kind, long ip, long payload, long ts) {
    eventData(seq, kind, ip, payload, 0, 0, ts);
  }

  @Override
  public void eventData(long seq, FlowEventKind kind, long ip, long payload, long data1, long data2, long ts) {
    blockEnded = true;
    if (kind == FlowEventKind.TSX) speculative = payload == 1;
    if (kind == FlowEventKind.OVERFLOW) speculative = false; // libipt forgets the transaction
    if (kind == FlowEventKind.EXEC_MODE) {
      // libipt reports the execution mode only where it changes.
      boolean same = payload == execMode;
      execMode = (int) payload;
      if (same) return;
    }
    if (o.quiet() || status.statusUpdate()) return;
    sb.setLength(0);
    sb.append('[');
    if (o.eventTime() && ts != NO_TS) {
      hex(ts);
      sb.append("  ");
    }
    boolean ipShown = o.eventIp();
    switch (kind) {
      case ENABLED, RESUMED -> {
        sb.append(kind.label());
        if (ipShown) ip(", ip: ", ip);
      }
      case DISABLED -> {
        sb.append("disabled");
        if (ipShown) {
          if (ip != NO_IP) ip(", at: ", ip);
          if (payload != NO_IP) ip(", ip: ", payload);
        }
      }
      case INTERRUPT -> {
        sb.append("interrupt");
        if (ipShown) {
          ip(", from: ", ip);
          if (payload != NO_IP) ip(", to: ", payload);
        }
      }
      case OVERFLOW -> {
        sb.append("overflow");
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case PAGING -> {
        sb.append("paging, cr3: ");
        hex(payload & ~1L);
        if ((payload & 1) != 0) sb.append(", nr");
        if (ipShown && ip != NO_IP) ip(", ip: ", ip); // an asynchronous one: where it applies
      }
      case VMCS -> {
        sb.append("vmcs, base: ");
        hex(payload);
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case EXEC_MODE -> {
        sb.append("exec mode: ").append(payload).append("-bit");
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case TSX -> {
        sb.append(payload == 2 ? "aborted" : payload == 1 ? "begin transaction" : "committed");
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case STOP -> sb.append("stopped");
      case EXSTOP -> {
        sb.append("exstop");
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case MWAIT -> {
        sb.append("mwait ").append(Long.toHexString(payload >>> 32)).append(' ')
            .append(Long.toHexString(payload & 0xffffffffL));
        if (ipShown && ip != NO_IP) ip(", ip: ", ip);
      }
      case PWRE -> {
        // ptxed prints C-states one up from the packet's encoding (C0 is 0xf).
        sb.append("pwre c").append((((payload >>> 8) & 0xf) + 1) & 0xf).append('.')
            .append(((payload & 0xf) + 1) & 0xf);
        if ((payload & 0x10000) != 0) sb.append(" hw");
      }
      case PWRX -> {
        long reason = payload >>> 16;
        sb.append("pwrx ");
        if ((reason & 1) != 0) sb.append("int: ");
        if ((reason & 4) != 0) sb.append("st: ");
        if ((reason & 8) != 0) sb.append("hw: ");
        sb.append('c').append((((payload >>> 8) & 0xf) + 1) & 0xf).append(" (c")
            .append(((payload & 0xf) + 1) & 0xf).append(')');
      }
      case PTWRITE -> {
        sb.append("ptwrite: ").append(Long.toHexString(payload));
        if (ipShown && ip != NO_IP && data1 != 0) ip(", ip: ", ip); // only an IP the trace gave
      }
      case CBR -> sb.append("cbr: ").append(Long.toHexString(payload));
      case MNT -> sb.append("mnt: ").append(Long.toHexString(payload));
      case INTR -> {
        sb.append("interrupt ").append(payload & 0xff);
        if ((payload & 0x100) != 0) ip(", cr2: ", data1);
      }
      case VMEXIT -> {
        sb.append("vmexit");
        if ((payload & 0x100) != 0) sb.append(", intr: ").append(payload & 0xff);
        if ((payload & 0x200) != 0) ip(", vmxr: ", data1);
        if ((payload & 0x400) != 0) ip(", vmxq: ", data2);
      }
      case SIPI -> sb.append("sipi: ").append(Long.toHexString(payload));
      case UINTR -> sb.append("uintr ").append(payload);
      case SWINTR -> sb.append("swintr ").append(payload);
      case IRET, SMI, RSM, INIT, VMENTRY, SHUTDOWN, UIRET, SYSCALL, TICK -> sb.append(kind.label());
      case TRIG -> {
        sb.append("trig ");
        if ((payload & 0xff) < 0x10) sb.append('0');
        sb.append(Long.toHexString(payload & 0xff));
        if ((payload & 0x100) != 0) sb.append(", mult");
      }
      case IFLAGS -> sb.append(payload != 0 ? "interrupts enabled" : "interrupts disabled");
    }
    if (ipShown && ip != NO_IP && kind.ordinal() >= FlowEventKind.INTR.ordinal()) ip(", ip: ", ip);
    sb.append(']');
    out.line(sb);
  }

  @Override
  public void endOfTrace(long seq, long ip, long ts) {
    if (!o.quiet()) out.line("[end of trace]");
  }

  @Override
  public void error(long offset, long ip, String kind, String message, long skippedBytes) {
    blockEnded = true;
    // A trace cut inside a packet, or without any PSB, is the end of the trace to libipt.
    if (kind.equals(iptq.pt.DecodeError.TRUNCATED) || kind.equals(iptq.pt.DecodeError.NOSYNC)) return;
    sb.setLength(0);
    sb.append('[').append(Long.toHexString(offset)).append(", ").append(Long.toHexString(ip == NO_IP ? 0 : ip))
        .append(status.syncing() ? ": sync error: " : ": error: ").append(libiptMessage(kind)).append(']');
    out.line(sb);
  }

  /** libipt's message ({@code pt_errstr}) for the error iptq names {@code kind}. */
  static String libiptMessage(String kind) {
    return switch (kind) {
      case FlowError.RET_NOT_TAKEN -> "bad compressed return";
      case FlowError.RET_EMPTY_STACK -> "compressed return without call";
      case FlowError.TNT_NEEDED, FlowError.TIP_NEEDED, FlowError.TNT_LEFT -> "trace stream does not match query";
      case FlowError.NO_CODE -> "no memory mapped at this address";
      case FlowError.BAD_INSN -> "unknown instruction";
      case FlowError.BAD_CONTEXT -> "unexpected packet context";
      case FlowError.BAD_SEQUENCE, FlowError.PSB_MISMATCH, FlowError.NO_PROGRESS -> "decoder out of sync";
      case iptq.pt.DecodeError.BAD_OPCODE -> "unknown opcode";
      case iptq.pt.DecodeError.BAD_PACKET, iptq.pt.DecodeError.RESERVED_IPBYTES -> "unknown packet";
      default -> kind;
    };
  }

  private void ip(String label, long v) {
    sb.append(label);
    hex(v);
  }

  private void hex(long v) {
    String s = Long.toHexString(v);
    for (int i = s.length(); i < 16; i++) sb.append('0');
    sb.append(s);
  }
}
