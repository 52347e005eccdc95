package iptq.sample;

import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.util.Arrays;

/**
 * The processor's trace output for one thread from the moment its tracing was (re)started, as
 * Intel PT hardware writes it: TNT bits for conditional jumps and compressed returns, TIP for
 * indirect transfers, uncompressed returns and far transfers, TIP.PGE/TIP.PGD where the traced
 * privilege levels begin and end, PSB+ every {@code psbPeriod} bytes (with FUP when tracing is
 * on, the return-compression stack cleared as a decoder clears its own), and, when timing is on,
 * TSC/TMA/CBR in PSB+ and MTC packets as the crystal clock ticks. Beside the bytes it keeps the
 * true sequence of traced instructions and, per PSB, where in that sequence decoding from there
 * begins: the ground truth of every window a ring buffer can hold.
 */
final class ThreadTrace {
  /** How the trace is configured: the IptOption of the session, in processor terms. */
  record Config(boolean user, boolean kernel, int psbPeriod, boolean timing, int mtcFreq, int tntMax) {}

  static final long CTC_RATIO = 100; // TSC ticks per crystal clock tick (CPUID 0x15: EBX/EAX)
  static final int CBR = 24;

  private final Config c;
  private final PacketEncoder enc = new PacketEncoder();
  private final long[] stack = new long[64];
  private int stackTop, stackSize;
  private long tntBits;
  private int tntCount;
  private long lastPsb;
  private boolean enabled;
  private long lastCtc;
  private final long cr3;

  private long[] traced = new long[1 << 12];
  private int tracedCount;
  // Traced instructions up to the last one whose outcome is in the trace (a TNT bit or an IP).
  private int settled;
  private long[] psbOffset = new long[64];
  private int[] psbInsn = new int[64];
  private int psbCount;

  ThreadTrace(Config c, long cr3) {
    this.c = c;
    this.cr3 = cr3;
  }

  private boolean traces(int cpl) {
    return cpl == 0 ? c.kernel : c.user;
  }

  /** Tracing starts (thread switched in) with the thread about to run {@code ip} at {@code cpl}. */
  void start(long ip, int cpl, long tsc) {
    psb(false, 0, tsc);
    if (traces(cpl)) enable(ip, tsc);
  }

  private void enable(long ip, long tsc) {
    enabled = true;
    stackSize = 0;
    enc.modeExecBits(64);
    enc.ip(PacketKind.TIP_PGE, ip);
    lastCtc = tsc / CTC_RATIO;
  }

  private void psb(boolean fup, long ip, long tsc) {
    flushTnt();
    lastPsb = enc.offset();
    if (psbCount == psbOffset.length) {
      psbOffset = Arrays.copyOf(psbOffset, psbCount * 2);
      psbInsn = Arrays.copyOf(psbInsn, psbCount * 2);
    }
    psbOffset[psbCount] = lastPsb;
    psbInsn[psbCount++] = tracedCount;
    enc.psb();
    if (c.timing) {
      enc.tsc(tsc);
      long ctc = tsc / CTC_RATIO;
      enc.tma((int) (ctc & 0xFFFF), (int) (tsc % CTC_RATIO));
      enc.cbr(CBR);
      lastCtc = ctc;
    }
    enc.modeExecBits(64);
    enc.pip(cr3, false);
    if (fup) enc.ip(PacketKind.FUP, ip);
    enc.psbend();
    stackSize = 0;
  }

  private void flushTnt() {
    if (tntCount > 0) {
      enc.tnt(tntCount, tntBits);
      tntCount = 0;
      tntBits = 0;
    }
  }

  private void tnt(boolean taken) {
    settled = tracedCount;
    tntBits = tntBits << 1 | (taken ? 1 : 0);
    if (++tntCount == c.tntMax) flushTnt();
  }

  private void tip(PacketKind kind, long ip) {
    settled = tracedCount;
    flushTnt();
    enc.ip(kind, ip);
  }

  private void push(long ret) {
    stack[stackTop] = ret;
    stackTop = (stackTop + 1) % stack.length;
    stackSize = Math.min(stackSize + 1, stack.length);
  }

  /** Called after {@code cpu} ran one instruction that started at privilege {@code cplBefore}. */
  void executed(Cpu cpu, int cplBefore, long tsc) {
    if (enabled && traces(cplBefore)) {
      if (tracedCount == traced.length) traced = Arrays.copyOf(traced, tracedCount * 2);
      traced[tracedCount++] = cpu.ip;
      long next = cpu.ip + cpu.length;
      switch (cpu.flow) {
        case JCC -> tnt(cpu.taken);
        case CALL -> push(next);
        case CALL_IND -> {
          push(next);
          tip(PacketKind.TIP, cpu.rip);
        }
        case JMP_IND -> tip(PacketKind.TIP, cpu.rip);
        case RET -> {
          int top = Math.floorMod(stackTop - 1, stack.length);
          if (stackSize > 0 && stack[top] == cpu.rip) {
            stackTop = top;
            stackSize--;
            tnt(true);
          } else {
            stackSize = 0;
            tip(PacketKind.TIP, cpu.rip);
          }
        }
        case SYSCALL, SYSRET -> {
          if (traces(cpu.cpl)) {
            tip(PacketKind.TIP, cpu.rip);
          } else {
            // Leaving the traced privilege level: the target is not traced, so no IP.
            flushTnt();
            enc.suppressed(PacketKind.TIP_PGD);
            settled = tracedCount;
            enabled = false;
          }
        }
        default -> {
        }
      }
    } else if (!enabled && traces(cpu.cpl) && (cpu.flow == Cpu.Flow.SYSCALL || cpu.flow == Cpu.Flow.SYSRET)) {
      enable(cpu.rip, tsc);
    }
    if (c.timing && enabled) {
      long ctc = tsc / CTC_RATIO;
      if ((ctc >>> c.mtcFreq) != (lastCtc >>> c.mtcFreq)) {
        flushTnt();
        enc.mtc((int) ((ctc >>> c.mtcFreq) & 0xFF));
      }
      lastCtc = ctc;
    }
    if (enc.offset() - lastPsb >= c.psbPeriod) psb(enabled, cpu.rip, tsc);
  }

  /** What a ring buffer of {@code size} bytes holds now, with its truth. */
  Snapshot snapshot(int size) {
    flushTnt();
    byte[] all = enc.toByteArray();
    int total = all.length;
    byte[] data;
    int position;
    long windowStart;
    if (total <= size) {
      data = all;
      position = total;
      windowStart = 0;
    } else {
      data = new byte[size];
      windowStart = total - size;
      for (long k = windowStart; k < total; k++) data[(int) (k % size)] = all[(int) k];
      position = (int) (total % size);
    }
    int firstPsb = -1;
    for (int i = 0; i < psbCount; i++) {
      if (psbOffset[i] >= windowStart) {
        firstPsb = i;
        break;
      }
    }
    int from = firstPsb < 0 ? tracedCount : psbInsn[firstPsb];
    return new Snapshot(data, position, total > size, from, Math.max(from, settled), tracedCount);
  }

  /**
   * One ring buffer's contents: decoding it yields traced instructions [from, settled) for sure;
   * [settled, to) ran too, after the last packet, and a decoder may walk them (and the
   * straight-line code after them) or stop at the end of the packets.
   */
  record Snapshot(byte[] data, int position, boolean wrapped, int from, int settled, int to) {}

  long[] traced() {
    return Arrays.copyOf(traced, tracedCount);
  }

  int tracedCount() {
    return tracedCount;
  }
}
