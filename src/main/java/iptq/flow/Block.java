package iptq.flow;

import iptq.x86.InsnClass;

/**
 * A run of straight-line code decoded once and walked many times: the instructions from
 * {@link #start} up to and including the first one that can change the flow (or the decoder
 * must look at: PTWRITE, MOV to CR3, VMPTRLD), with the last one's class and direct target.
 * Successor blocks are remembered once found, so a long trace walks cached blocks by pointer.
 */
final class Block {
  /** Ends with the instruction {@link #cls} (a branch or an instruction the walk must see). */
  static final byte END_BRANCH = 0;
  /** Ends because it grew long or the bytes at hand ended; the next block starts at {@link #end}. */
  static final byte END_LIMIT = 1;
  /** No code at {@link #end}. */
  static final byte END_NO_CODE = 2;
  /** The bytes at {@link #end} do not decode. */
  static final byte END_BAD_INSN = 3;

  // What the walk does at the end of the block, folded from endKind and cls into one small
  // number so that the walk dispatches with one table switch.
  static final byte K_JCC = 0, K_JMP = 1, K_CALL = 2, K_JMP_IND = 3, K_CALL_IND = 4, K_RET = 5,
      K_MOV_CR3 = 6, K_PTWRITE = 7, K_STEP = 8, K_FAR = 9, K_LIMIT = 10, K_NO_CODE = 11, K_BAD_INSN = 12;

  final long start;
  /** Instruction offsets from {@link #start}; {@link #ninsn} of them. */
  final int[] offsets;
  final int ninsn;
  /** Address after the last instruction (its fall-through); for NO_CODE/BAD_INSN where that happened. */
  final long end;
  final long lastIp;
  final InsnClass cls;
  /** The last instruction's direct target, when {@link InsnClass#isDirect()}. */
  final long target;
  final byte endKind;
  /** Why the bytes at {@link #end} did not decode (END_BAD_INSN). */
  final String badInsn;

  /** Cached successors: where the fall-through / the taken direct branch leads (same address space and mode). */
  Block next;
  Block taken;
  /** The last block an indirect transfer or return from here led to: often the same again. */
  Block memo;
  /** {@link BlockCache#tag} of the address space and mode decoded for: the cache key beside {@link #start}. */
  long tag;
  /** {@link #cls} is a direct branch: {@link #target} is where it goes when taken. */
  final boolean direct;

  Block(long start, int[] offsets, int ninsn, long end, InsnClass cls, long target, byte endKind, String badInsn) {
    this.start = start;
    this.offsets = offsets;
    this.ninsn = ninsn;
    this.end = end;
    this.lastIp = ninsn > 0 ? start + offsets[ninsn - 1] : start;
    this.cls = cls;
    this.target = target;
    this.endKind = endKind;
    this.badInsn = badInsn;
    this.direct = cls.isDirect();
    this.kind = kindOf(endKind, cls);
  }

  /** The walk's view of the block's end: one of the K_ constants. */
  final byte kind;

  private static byte kindOf(byte endKind, InsnClass cls) {
    if (endKind == END_LIMIT) return K_LIMIT;
    if (endKind == END_NO_CODE) return K_NO_CODE;
    if (endKind == END_BAD_INSN) return K_BAD_INSN;
    return switch (cls) {
      case JCC -> K_JCC;
      case JMP_DIRECT -> K_JMP;
      case CALL_DIRECT -> K_CALL;
      case JMP_INDIRECT -> K_JMP_IND;
      case CALL_INDIRECT -> K_CALL_IND;
      case RET_NEAR -> K_RET;
      case MOV_CR3 -> K_MOV_CR3;
      case PTWRITE -> K_PTWRITE;
      default -> cls.isFarTransfer() ? K_FAR : K_STEP;
    };
  }

  /** The index of the instruction at {@code ip}, or -1 when no instruction of this block starts there. */
  int indexOf(long ip) {
    long d = ip - start;
    if (d < 0 || d > offsets[ninsn - 1]) return -1;
    for (int i = 0; i < ninsn; i++) if (offsets[i] == d) return i;
    return -1;
  }

  int size(int i) {
    return (int) ((i + 1 < ninsn ? start + offsets[i + 1] : end) - (start + offsets[i]));
  }
}
