package iptq.flow;

import java.util.function.LongFunction;

/**
 * Renders the flow as libipt's {@code ptxed} lays it out: one line per instruction (its IP in
 * 16 hex digits, then, when a disassembler is given, two spaces and the text) and one bracketed
 * line per event or error. The tests compare these lines with libipt's (through the C harness)
 * and with the synthesizer's truth.
 */
public final class FlowListing implements FlowSink {
  /** Receives each finished line. */
  public interface Lines {
    void line(CharSequence line);

    /**
     * An instruction line: {@code "? "} when {@code speculative}, the IP in 16 hex digits, then,
     * unless {@code text} is null, two spaces and the text. {@link ListingBuffer} writes it
     * without building the line.
     */
    default void insn(boolean speculative, long ip, CharSequence text) {
      StringBuilder sb = new StringBuilder(speculative ? "? " : "");
      String s = Long.toHexString(ip);
      for (int i = s.length(); i < 16; i++) sb.append('0');
      sb.append(s);
      if (text != null) sb.append("  ").append(text);
      line(sb);
    }
  }

  private final Lines out;
  private final boolean ipOnly;
  private final LongFunction<String> text;
  private final StringBuilder sb = new StringBuilder(128);

  /**
   * @param text instruction text by address, or null for IPs only
   */
  public FlowListing(Lines out, LongFunction<String> text) {
    this.out = out;
    this.text = text;
    this.ipOnly = text == null;
  }

  @Override
  public boolean wantsInstructions() {
    return true;
  }

  @Override
  public void instruction(long seq, long ip, int size) {
    out.insn(false, ip, ipOnly ? null : text.apply(ip));
  }

  @Override
  public void event(long seq, FlowEventKind kind, long ip, long payload, long ts) {
    eventData(seq, kind, ip, payload, 0, 0, ts);
  }

  @Override
  public void eventData(long seq, FlowEventKind kind, long ip, long payload, long data1, long data2, long ts) {
    sb.setLength(0);
    sb.append('[');
    switch (kind) {
      case ENABLED, RESUMED -> {
        sb.append(kind.label()).append(", ip: ");
        hex(ip);
      }
      case DISABLED -> {
        sb.append("disabled");
        if (ip != NO_IP) {
          sb.append(", at: ");
          hex(ip);
        }
        if (payload != NO_IP) {
          sb.append(", ip: ");
          hex(payload);
        }
      }
      case INTERRUPT -> {
        sb.append("interrupt, from: ");
        hex(ip);
        if (payload != NO_IP) {
          sb.append(", to: ");
          hex(payload);
        }
      }
      case OVERFLOW -> {
        sb.append("overflow");
        if (ip != NO_IP) {
          sb.append(", ip: ");
          hex(ip);
        }
      }
      case PAGING -> {
        sb.append("paging, cr3: ");
        hex(payload & ~1L);
        if ((payload & 1) != 0) sb.append(", nr");
      }
      case VMCS -> {
        sb.append("vmcs, base: ");
        hex(payload);
      }
      case EXEC_MODE -> sb.append("exec mode: ").append(payload).append("-bit");
      case TSX -> sb.append("tsx: ").append(payload == 2 ? "abort" : payload == 1 ? "begin" : "commit");
      case STOP -> sb.append("stopped");
      case EXSTOP -> {
        sb.append("exstop");
        if (ip != NO_IP) {
          sb.append(", ip: ");
          hex(ip);
        }
      }
      case MWAIT -> sb.append("mwait: ").append(Long.toHexString(payload >>> 32)).append(", ")
          .append(Long.toHexString(payload & 0xffffffffL));
      case PWRE -> sb.append("pwre: c").append((payload >>> 8) & 0xff).append('.').append(payload & 0xff)
          .append((payload & 0x10000) != 0 ? ", hw" : "");
      case PWRX -> {
        long reason = payload >>> 16;
        sb.append("pwrx: c").append((payload >>> 8) & 0xff).append(", c").append(payload & 0xff)
            .append((reason & 1) != 0 ? ", int" : "").append((reason & 4) != 0 ? ", st" : "")
            .append((reason & 8) != 0 ? ", hw" : "");
      }
      case PTWRITE -> sb.append("ptwrite: ").append(Long.toHexString(payload));
      case CBR -> sb.append("cbr: ").append(payload);
      case MNT -> sb.append("mnt: ").append(Long.toHexString(payload));
      // Event trace and triggers: as the C harness prints them (ptxed's words, always the IP).
      case INTR -> {
        sb.append("interrupt ").append(payload & 0xff);
        if ((payload & 0x100) != 0) {
          sb.append(", cr2: ");
          hex(data1);
        }
      }
      case VMEXIT -> {
        sb.append("vmexit");
        if ((payload & 0x100) != 0) sb.append(", intr: ").append(payload & 0xff);
        if ((payload & 0x200) != 0) {
          sb.append(", vmxr: ");
          hex(data1);
        }
        if ((payload & 0x400) != 0) {
          sb.append(", vmxq: ");
          hex(data2);
        }
      }
      case SIPI -> sb.append("sipi: ").append(Long.toHexString(payload));
      case UINTR -> sb.append("uintr ").append(payload);
      case SWINTR -> sb.append("swintr ").append(payload);
      case IRET, SMI, RSM, INIT, VMENTRY, SHUTDOWN, UIRET, SYSCALL, TICK -> sb.append(kind.label());
      case TRIG -> {
        sb.append("trig ").append(Long.toHexString(payload & 0xff));
        if ((payload & 0x100) != 0) sb.append(", mult");
      }
      case IFLAGS -> sb.append(payload != 0 ? "interrupts enabled" : "interrupts disabled");
    }
    if (ip != NO_IP && kind.ordinal() >= FlowEventKind.INTR.ordinal()) {
      sb.append(", ip: ");
      hex(ip);
    }
    sb.append(']');
    out.line(sb);
  }

  @Override
  public void endOfTrace(long seq, long ip, long ts) {
    out.line("[end of trace]");
  }

  @Override
  public void error(long offset, long ip, String kind, String message, long skippedBytes) {
    sb.setLength(0);
    sb.append("[error: ").append(kind).append(": ").append(message).append(", offset: ")
        .append(Long.toHexString(offset)).append(']');
    out.line(sb);
  }

  private void hex(long v) {
    String s = Long.toHexString(v);
    for (int i = s.length(); i < 16; i++) sb.append('0');
    sb.append(s);
  }
}
