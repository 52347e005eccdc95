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
