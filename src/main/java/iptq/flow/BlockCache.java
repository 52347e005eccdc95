package iptq.flow;

import iptq.image.CodeImage;
import iptq.x86.Insn;
import iptq.x86.InsnClass;
import iptq.x86.Mode;
import iptq.x86.X86Decoder;

/**
 * Blocks by (address space, mode, address), decoded on first use through the {@link CodeImage}
 * with iptq's own x86 decoder. Bounded: when it holds too many blocks it starts over, so memory
 * does not grow with the trace.
 */
final class BlockCache {
  private static final int MAX_INSNS = 256;
  private static final int WINDOW = 4096;
  private static final int MAX_BLOCKS = 1 << 20;

  private final CodeImage image;
  private final byte[] buf = new byte[WINDOW];
  private final int[] offs = new int[MAX_INSNS];
  private final Insn insn = new Insn();

  // Open addressing: keys are address ^ tag (address space and mode), with the tag kept beside.
  private long[] keys = new long[1 << 12];
  private long[] tags = new long[1 << 12];
  private Block[] vals = new Block[1 << 12];
  private int size;
  int gen;

  BlockCache(CodeImage image) {
    this.image = image;
  }

  static long tag(long asid, Mode mode) {
    return asid * 4 + mode.ordinal();
  }

  Block get(long asid, Mode mode, long ip) {
    long tag = tag(asid, mode);
    int mask = keys.length - 1;
    int i = mix(ip, tag) & mask;
    for (Block b; (b = vals[i]) != null; i = (i + 1) & mask) {
      if (keys[i] == ip && tags[i] == tag) return b;
    }
    Block b = decode(asid, mode, ip);
    if (size >= MAX_BLOCKS) clear();
    b.gen = gen;
    b.mode = mode;
    b.asid = asid;
    if (2 * (size + 1) > keys.length) grow();
    put(ip, tag, b);
    return b;
  }

  int size() {
    return size;
  }

  void clear() {
    java.util.Arrays.fill(vals, null);
    size = 0;
    gen++;
  }

  private static int mix(long ip, long tag) {
    long h = (ip ^ tag * 0x9E3779B97F4A7C15L) * 0xC2B2AE3D27D4EB4FL;
    return (int) (h ^ h >>> 29);
  }

  private void put(long ip, long tag, Block b) {
    int mask = keys.length - 1;
    int i = mix(ip, tag) & mask;
    while (vals[i] != null) i = (i + 1) & mask;
    keys[i] = ip;
    tags[i] = tag;
    vals[i] = b;
    size++;
  }

  private void grow() {
    long[] k = keys, t = tags;
    Block[] v = vals;
    keys = new long[k.length * 2];
    tags = new long[k.length * 2];
    vals = new Block[k.length * 2];
    size = 0;
    for (int i = 0; i < k.length; i++) if (v[i] != null) put(k[i], t[i], v[i]);
  }

  private Block decode(long asid, Mode mode, long start) {
    int n = image.read(asid, start, buf, 0, WINDOW);
    int count = 0;
    int pos = 0;
    while (true) {
      if (n == 0 || pos >= n) {
        // Ran off the bytes at hand: either no code at all or the next block picks up there.
        byte kind = count == 0 ? Block.END_NO_CODE : Block.END_LIMIT;
        return make(start, count, start + pos, InsnClass.OTHER, 0, kind, null);
      }
      if (count == MAX_INSNS) return make(start, count, start + pos, InsnClass.OTHER, 0, Block.END_LIMIT, null);
      long ip = start + pos;
      if (!X86Decoder.decode(buf, pos, n - pos, ip, mode, insn)) {
        if (insn.error == Insn.TRUNCATED && count > 0 && n == WINDOW) {
          return make(start, count, ip, InsnClass.OTHER, 0, Block.END_LIMIT, null);
        }
        if (insn.error == Insn.TRUNCATED && n - pos < X86Decoder.MAX_LENGTH) {
          // The instruction may continue in the next section: read it whole.
          byte[] tmp = new byte[X86Decoder.MAX_LENGTH];
          int got = readAcross(asid, ip, tmp);
          if (X86Decoder.decode(tmp, 0, got, ip, mode, insn)) {
            offs[count++] = pos;
            return make(start, count, ip + insn.length, insn.iclass, insn.target,
                special(insn.iclass) ? Block.END_BRANCH : Block.END_LIMIT, null);
          }
        }
        return make(start, count, ip, InsnClass.OTHER, 0, Block.END_BAD_INSN, Insn.errorName(insn.error));
      }
      offs[count++] = pos;
      pos += insn.length;
      if (special(insn.iclass)) return make(start, count, start + pos, insn.iclass, insn.target, Block.END_BRANCH, null);
    }
  }

  private int readAcross(long asid, long ip, byte[] dst) {
    int got = 0;
    while (got < dst.length) {
      int r = image.read(asid, ip + got, dst, got, dst.length - got);
      if (r <= 0) break;
      got += r;
    }
    return got;
  }

  private static boolean special(InsnClass c) {
    return c != InsnClass.OTHER && c != InsnClass.UD;
  }

  private Block make(long start, int count, long end, InsnClass cls, long target, byte kind, String bad) {
    return new Block(start, java.util.Arrays.copyOf(offs, count), count, end, cls, target, kind, bad);
  }
}
