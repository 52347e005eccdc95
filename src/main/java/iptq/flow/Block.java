package iptq.flow;

import iptq.x86.InsnClass;

/**
 * A run of straight-line code decoded once and walked many times: the instructions from
 * {@link #start} up to and including the first one that can change the flow (or the decoder
 * must look at: PTWRITE, MOV to CR3, VMPTRLD), with the last one's class and direct target.
 * Successor blocks are remembered once found, so a long trace walks cached blocks by pointer.
 *
 * <p>Kept to one 64-byte object: the walk goes from block to block through more blocks than the
 * processor's caches hold, so every byte a block takes is paid for in cache misses. Offsets are
 * relative to {@link #start}, the instruction offsets live in a chunk shared with other blocks,
 * and the reason a block's bytes did not decode is found again when it is reported.
 */
final class Block {
  // What the walk does at the end of the block, folded from how decoding ended and the last
  // instruction's class into one small number, so that the walk dispatches with one switch.
  static final byte K_JCC = 0, K_JMP = 1, K_CALL = 2, K_JMP_IND = 3, K_CALL_IND = 4, K_RET = 5,
      K_MOV_CR3 = 6, K_PTWRITE = 7, K_STEP = 8, K_FAR = 9;
  /** Ends because it grew long or the bytes at hand ended; the next block starts at {@link #end()}. */
  static final byte K_LIMIT = 10;
  /** No code at {@link #end()}. */
  static final byte K_NO_CODE = 11;
  /** The bytes at {@link #end()} do not decode. */
  static final byte K_BAD_INSN = 12;

  final long start;
  /** The last instruction's direct target, when {@link #isDirect()}. */
  final long target;
  /** {@link BlockCache#tag} of the address space and mode decoded for: the cache key beside {@link #start}. */
  final long tag;
  /** The instruction offsets from {@link #start}: {@link #ninsn} of them in {@link #offs} from {@link #offsAt}. */
  private final int[] offs;
  private final int offsAt;
  final short ninsn;
  /** {@link #end()} and {@link #lastIp()} less {@link #start}. */
  private final short endOff, lastOff;
  /** One of the K_ constants. */
  final byte kind;
  /** The last instruction's {@link InsnClass} (its ordinal). */
  private final byte cls;

  /** Cached successors: where the fall-through / the taken direct branch leads (same address space and mode). */
  Block next;
  Block taken;
  /** The last block an indirect transfer or return from here led to: often the same again. */
  Block memo;

  private static final InsnClass[] CLASSES = InsnClass.values();

  Block(long start, long tag, int[] offs, int offsAt, int ninsn, long end, InsnClass cls, long target, byte kind) {
    this.start = start;
    this.tag = tag;
    this.offs = offs;
    this.offsAt = offsAt;
    this.ninsn = (short) ninsn;
    this.endOff = (short) (end - start);
    this.lastOff = (short) (ninsn > 0 ? offs[offsAt + ninsn - 1] : 0);
    this.cls = (byte) cls.ordinal();
    this.target = target;
    this.kind = kind;
  }

  /** The K_ constant for a block that ends with an instruction of class {@code cls}. */
  static byte kindOf(InsnClass cls) {
    return switch (cls) {
      case JCC -> K_JCC;
      case JMP_DIRECT -> K_JMP;
      case CALL_DIRECT -> K_CALL;
      case JMP_INDIRECT, JMPABS -> K_JMP_IND; // JMPABS: libipt 2.2 takes its target from a TIP
      case CALL_INDIRECT -> K_CALL_IND;
      case RET_NEAR -> K_RET;
      case MOV_CR3 -> K_MOV_CR3;
      case PTWRITE -> K_PTWRITE;
      default -> cls.isFarTransfer() ? K_FAR : K_STEP;
    };
  }

  /** Address after the last instruction (its fall-through); for K_NO_CODE/K_BAD_INSN where that happened. */
  long end() {
    return start + endOff;
  }

  /** Address of the last instruction ({@link #start} when there is none). */
  long lastIp() {
    return start + lastOff;
  }

  /** Ends with a direct branch: {@link #target} is where it goes when taken. */
  boolean isDirect() {
    return kind <= K_CALL;
  }

  InsnClass cls() {
    return CLASSES[cls];
  }

  /** Address of instruction {@code i}. */
  long ip(int i) {
    return start + offs[offsAt + i];
  }

  /** The index of the instruction at {@code ip}, or -1 when no instruction of this block starts there. */
  int indexOf(long ip) {
    long d = ip - start;
    if (d < 0 || d > lastOff) return -1;
    for (int i = 0; i < ninsn; i++) if (offs[offsAt + i] == d) return i;
    return -1;
  }

  int size(int i) {
    return (int) ((i + 1 < ninsn ? ip(i + 1) : end()) - ip(i));
  }
}
