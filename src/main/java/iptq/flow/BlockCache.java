package iptq.flow;

import iptq.image.CodeImage;
import iptq.x86.Insn;
import iptq.x86.InsnClass;
import iptq.x86.Mode;
import iptq.x86.X86Decoder;

/**
 * Blocks by (address space, mode, address), decoded on first use through the {@link CodeImage}
 * with iptq's own x86 decoder. Code the image says is the same in every address space is cached
 * once, under {@link CodeImage#ANY_ASID}: a trace that switches among processes then walks the
 * same blocks in each of them, kernel code above all, instead of a copy per process. Bounded:
 * when it holds too many blocks it starts over, so memory does not grow with the trace.
 */
final class BlockCache {
  private static final int MAX_INSNS = 256;
  private static final int WINDOW = 4096;
  private static final int MAX_BLOCKS = 1 << 20;

  private final CodeImage image;
  private final byte[] buf = new byte[WINDOW];
  private final int[] offs = new int[MAX_INSNS];
  private final Insn insn = new Insn();
  private static final int CHUNK = 1 << 16;
  private int[] chunk = new int[CHUNK];
  private int chunkUsed;
  private final java.util.Map<Block, String> bad = new java.util.IdentityHashMap<>();

  // Open addressing over the blocks themselves: a probe compares the block's own start and tag,
  // so a hit touches the table slot and the block (which the walk needs next anyway), not
  // parallel key arrays as well.
  private Block[] table = new Block[1 << 12];
  private int size;
  int gen;

  BlockCache(CodeImage image) {
    this.image = image;
  }

  static long tag(long asid, Mode mode) {
    return asid * 4 + mode.ordinal();
  }

  /** Whether a block of this {@link Block#tag} is valid in every address space. */
  static boolean shared(long tag) {
    return tag < 0; // asid ANY_ASID; real ones (CR3 values) are positive
  }

  Block get(long asid, Mode mode, long ip) {
    if (asid != CodeImage.ANY_ASID && image.sameInEveryAddressSpace(ip)) asid = CodeImage.ANY_ASID;
    long tag = tag(asid, mode);
    Block[] t = table;
    int mask = t.length - 1;
    for (int i = mix(ip, tag) & mask;; i = (i + 1) & mask) {
      Block b = t[i];
      if (b == null) break;
      if (b.start == ip && b.tag == tag) return b;
    }
    if (size >= MAX_BLOCKS) clear();
    Block b = decode(asid, mode, ip, tag);
    if (2 * (size + 1) > table.length) grow();
    put(b);
    return b;
  }

  int size() {
    return size;
  }

  void clear() {
    java.util.Arrays.fill(table, null);
    bad.clear();
    size = 0;
    gen++;
  }

  private static int mix(long ip, long tag) {
    long h = (ip ^ tag * 0x9E3779B97F4A7C15L) * 0xC2B2AE3D27D4EB4FL;
    return (int) (h ^ h >>> 29);
  }

  private void put(Block b) {
    int mask = table.length - 1;
    int i = mix(b.start, b.tag) & mask;
    while (table[i] != null) i = (i + 1) & mask;
    table[i] = b;
    size++;
  }

  private void grow() {
    Block[] old = table;
    table = new Block[old.length * 2];
    size = 0;
    for (Block b : old) if (b != null) put(b);
  }

  /** Why the bytes at the end of a {@link Block#K_BAD_INSN} block do not decode. */
  String whyBad(Block b) {
    return bad.get(b);
  }

  private Block decode(long asid, Mode mode, long start, long tag) {
    int n = image.read(asid, start, buf, 0, WINDOW);
    int count = 0;
    int pos = 0;
    while (true) {
      if (n == 0 || pos >= n) {
        // Ran off the bytes at hand: either no code at all or the next block picks up there.
        byte kind = count == 0 ? Block.K_NO_CODE : Block.K_LIMIT;
        return make(start, tag, count, start + pos, InsnClass.OTHER, 0, kind);
      }
      if (count == MAX_INSNS) return make(start, tag, count, start + pos, InsnClass.OTHER, 0, Block.K_LIMIT);
      long ip = start + pos;
      if (!X86Decoder.decode(buf, pos, n - pos, ip, mode, insn)) {
        if (insn.error == Insn.TRUNCATED && count > 0 && n == WINDOW) {
          return make(start, tag, count, ip, InsnClass.OTHER, 0, Block.K_LIMIT);
        }
        if (insn.error == Insn.TRUNCATED && n - pos < X86Decoder.MAX_LENGTH) {
          // The instruction may continue in the next section: read it whole.
          byte[] tmp = new byte[X86Decoder.MAX_LENGTH];
          int got = readAcross(asid, ip, tmp);
          if (X86Decoder.decode(tmp, 0, got, ip, mode, insn)) {
            offs[count++] = pos;
            return make(start, tag, count, ip + insn.length, insn.iclass, insn.target,
                special(insn.iclass) ? Block.kindOf(insn.iclass) : Block.K_LIMIT);
          }
        }
        Block b = make(start, tag, count, ip, InsnClass.OTHER, 0, Block.K_BAD_INSN);
        bad.put(b, Insn.errorName(insn.error));
        return b;
      }
      offs[count++] = pos;
      pos += insn.length;
      if (special(insn.iclass)) return make(start, tag, count, start + pos, insn.iclass, insn.target, Block.kindOf(insn.iclass));
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

  private Block make(long start, long tag, int count, long end, InsnClass cls, long target, byte kind) {
    // Offsets go to a shared chunk rather than an array per block, so that blocks lie close
    // together in memory (see Block).
    if (chunkUsed + count > chunk.length) {
      chunk = new int[CHUNK];
      chunkUsed = 0;
    }
    System.arraycopy(offs, 0, chunk, chunkUsed, count);
    Block b = new Block(start, tag, chunk, chunkUsed, count, end, cls, target, kind);
    chunkUsed += count;
    return b;
  }
}
