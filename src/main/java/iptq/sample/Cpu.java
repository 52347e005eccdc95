package iptq.sample;

/**
 * An x86-64 interpreter for the instructions clang emits for the sample's C code (checked with
 * llvm-objdump over sample/bin): integer moves, arithmetic and logic with the flags, shifts,
 * multiplies, sign and zero extension, set/cmov on conditions, push/pop, direct and indirect
 * calls and jumps, returns, the SSE zeroing moves of struct clears, {@code xchg}, {@code pause},
 * and SYSCALL/SYSRET. It runs the real compiled functions on real inputs, so the path a trace
 * records is the path the code takes. Anything else is an error naming the address and bytes:
 * the sample must not silently run code the interpreter does not understand.
 */
final class Cpu {
  /** How the last instruction moved the instruction pointer: what a trace has to say about it. */
  enum Flow { NEXT, JCC, JMP, CALL, JMP_IND, CALL_IND, RET, SYSCALL, SYSRET }

  static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
  static final int R8 = 8, R9 = 9, R10 = 10, R11 = 11;

  final Memory mem;
  final long[] r = new long[16];
  private final long[] xmmLo = new long[16];
  private final long[] xmmHi = new long[16];
  long rip;
  int cpl = 3;
  /** IA32_LSTAR: where SYSCALL goes. */
  long lstar;
  private boolean cf, zf, sf, of;

  // The last instruction: its address, length, how it moved the IP, and (for JCC) whether taken.
  long ip;
  int length;
  Flow flow;
  boolean taken;

  // Decoding state of the instruction being run.
  private int pos, rex, mod, regField, rmField;
  private boolean opsize16, repz, hasRex;
  private boolean memOperand, ripRelative;
  private long disp;
  private int base, index, scale;

  Cpu(Memory mem) {
    this.mem = mem;
  }

  private int fetch() {
    return mem.u8(ip + pos++);
  }

  private long fetchS(int size) {
    long v = 0;
    for (int i = 0; i < size; i++) v |= (long) fetch() << (8 * i);
    int sh = 64 - 8 * size;
    return v << sh >> sh;
  }

  /** Runs one instruction. */
  void step() {
    ip = rip;
    pos = 0;
    rex = 0;
    hasRex = false;
    opsize16 = false;
    repz = false;
    flow = Flow.NEXT;
    taken = false;
    int op;
    for (;;) {
      op = fetch();
      if (op == 0x66) opsize16 = true;
      else if (op == 0xF3) repz = true;
      else if (op == 0xF2 || op == 0x2E || op == 0x3E || op == 0x26 || op == 0x36 || op == 0x64 || op == 0x65) {
        // segment overrides appear only in multi-byte NOPs here
      } else break;
    }
    if ((op & 0xF0) == 0x40) {
      rex = op;
      hasRex = true;
      op = fetch();
    }
    int size = (rex & 8) != 0 ? 8 : opsize16 ? 2 : 4;
    if (op == 0x0F) {
      twoByte(fetch(), size);
    } else {
      oneByte(op, size);
    }
    length = pos;
    if (flow == Flow.NEXT || flow == Flow.JCC && !taken) rip = ip + length;
  }

  private long next() {
    return ip + pos;
  }

  private RuntimeException unsupported() {
    StringBuilder b = new StringBuilder("the sample interpreter cannot run the instruction at 0x")
        .append(Long.toHexString(ip)).append(':');
    for (int i = 0; i < Math.max(pos, 1) + 2; i++) b.append(String.format(" %02x", mem.u8(ip + i)));
    return new IllegalStateException(b.toString());
  }

  // ---- operands ----------------------------------------------------------------------------

  private void modrm() {
    int m = fetch();
    mod = m >>> 6;
    regField = (m >>> 3 & 7) | (rex & 4) << 1;
    int rm = m & 7;
    memOperand = mod != 3;
    ripRelative = false;
    base = -1;
    index = -1;
    scale = 1;
    disp = 0;
    if (!memOperand) {
      rmField = rm | (rex & 1) << 3;
      return;
    }
    if (rm == 4) {
      int sib = fetch();
      scale = 1 << (sib >>> 6);
      int idx = (sib >>> 3 & 7) | (rex & 2) << 2;
      if (idx != 4) index = idx;
      int b = sib & 7;
      if (b == 5 && mod == 0) {
        disp = fetchS(4);
      } else {
        base = b | (rex & 1) << 3;
      }
    } else if (rm == 5 && mod == 0) {
      ripRelative = true;
      disp = fetchS(4);
    } else {
      base = rm | (rex & 1) << 3;
    }
    if (mod == 1) disp = fetchS(1);
    else if (mod == 2) disp = fetchS(4);
  }

  /** The memory operand's address; call after every immediate is fetched (RIP-relative). */
  private long ea() {
    long a = disp;
    if (ripRelative) a += next();
    if (base >= 0) a += r[base];
    if (index >= 0) a += r[index] * scale;
    return a;
  }

  private static long mask(int size) {
    return size == 8 ? -1L : (1L << (8 * size)) - 1;
  }

  private long getReg(int reg, int size) {
    if (size == 1 && !hasRex && reg >= 4 && reg < 8) return (r[reg - 4] >>> 8) & 0xFF;
    return r[reg] & mask(size);
  }

  private void setReg(int reg, int size, long v) {
    switch (size) {
      case 8 -> r[reg] = v;
      case 4 -> r[reg] = v & 0xFFFFFFFFL;
      case 2 -> r[reg] = (r[reg] & ~0xFFFFL) | (v & 0xFFFF);
      default -> {
        if (!hasRex && reg >= 4 && reg < 8) r[reg - 4] = (r[reg - 4] & ~0xFF00L) | (v & 0xFF) << 8;
        else r[reg] = (r[reg] & ~0xFFL) | (v & 0xFF);
      }
    }
  }

  private long getRm(int size) {
    return memOperand ? mem.read(ea(), size) : getReg(rmField, size);
  }

  private void setRm(int size, long v) {
    if (memOperand) mem.write(ea(), size, v);
    else setReg(rmField, size, v);
  }

  private long imm(int size) {
    return fetchS(Math.min(size, 4));
  }

  // ---- flags -------------------------------------------------------------------------------

  private static boolean sign(long v, int size) {
    return (v >>> (8 * size - 1) & 1) != 0;
  }

  private void logicFlags(long res, int size) {
    res &= mask(size);
    zf = res == 0;
    sf = sign(res, size);
    cf = false;
    of = false;
  }

  private long alu(int kind, long a, long b, int size) {
    long m = mask(size);
    a &= m;
    b &= m;
    long res;
    switch (kind) {
      case 0 -> { // add
        res = (a + b) & m;
        cf = Long.compareUnsigned(res, a) < 0;
        of = sign((a ^ res) & (b ^ res), size);
      }
      case 1 -> { // or
        res = a | b;
        logicFlags(res, size);
      }
      case 4 -> { // and
        res = a & b;
        logicFlags(res, size);
      }
      case 5, 7 -> { // sub, cmp
        res = (a - b) & m;
        cf = Long.compareUnsigned(a, b) < 0;
        of = sign((a ^ b) & (a ^ res), size);
      }
      case 6 -> { // xor
        res = a ^ b;
        logicFlags(res, size);
      }
      default -> throw unsupported();
    }
    zf = res == 0;
    sf = sign(res, size);
    return res;
  }

  private boolean condition(int cc) {
    boolean v = switch (cc >>> 1) {
      case 0 -> of;
      case 1 -> cf;
      case 2 -> zf;
      case 3 -> cf || zf;
      case 4 -> sf;
      case 5 -> throw unsupported(); // parity: never emitted for the sample
      case 6 -> sf != of;
      default -> zf || sf != of;
    };
    return (cc & 1) != 0 ? !v : v;
  }

  // ---- stack -------------------------------------------------------------------------------

  void push(long v) {
    r[RSP] -= 8;
    mem.write(r[RSP], 8, v);
  }

  long pop() {
    long v = mem.read(r[RSP], 8);
    r[RSP] += 8;
    return v;
  }

  private void jumpTo(Flow f, long target) {
    flow = f;
    rip = target;
  }

  // ---- one-byte opcodes --------------------------------------------------------------------

  private void oneByte(int op, int size) {
    if (op < 0x40 && (op & 7) < 6) {
      int kind = op >>> 3;
      int form = op & 7;
      int sz = (form & 1) == 0 ? 1 : size;
      if (form < 4) {
        modrm();
        if (form < 2) { // r/m, reg
          long res = alu(kind, getRm(sz), getReg(regField, sz), sz);
          if (kind != 7) setRm(sz, res);
        } else { // reg, r/m
          long res = alu(kind, getReg(regField, sz), getRm(sz), sz);
          if (kind != 7) setReg(regField, sz, res);
        }
      } else { // AL/eAX, imm
        long res = alu(kind, getReg(RAX, sz), imm(sz), sz);
        if (kind != 7) setReg(RAX, sz, res);
      }
      return;
    }
    switch (op) {
      case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> push(r[(op & 7) | (rex & 1) << 3]);
      case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> r[(op & 7) | (rex & 1) << 3] = pop();
      case 0x63 -> { // movsxd
        modrm();
        long v = (int) getRm(4);
        setReg(regField, size, v);
      }
      case 0x69, 0x6B -> { // imul r, r/m, imm
        modrm();
        long a = getRm(size);
        long b = op == 0x6B ? fetchS(1) : imm(size);
        setReg(regField, size, imul(a, b, size));
      }
      case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F -> {
        long target = fetchS(1) + next();
        jcc(op & 0xF, target);
      }
      case 0x80, 0x81, 0x83 -> {
        int sz = op == 0x80 ? 1 : size;
        modrm();
        long b = op == 0x83 ? fetchS(1) : imm(sz);
        long res = alu(regField & 7, getRm(sz), b, sz);
        if ((regField & 7) != 7) setRm(sz, res);
      }
      case 0x84, 0x85 -> {
        int sz = op == 0x84 ? 1 : size;
        modrm();
        logicFlags(getRm(sz) & getReg(regField, sz), sz);
      }
      case 0x86, 0x87 -> {
        int sz = op == 0x86 ? 1 : size;
        modrm();
        long a = getRm(sz);
        long b = getReg(regField, sz);
        setRm(sz, b);
        setReg(regField, sz, a);
      }
      case 0x88, 0x89 -> {
        int sz = op == 0x88 ? 1 : size;
        modrm();
        setRm(sz, getReg(regField, sz));
      }
      case 0x8A, 0x8B -> {
        int sz = op == 0x8A ? 1 : size;
        modrm();
        setReg(regField, sz, getRm(sz));
      }
      case 0x8D -> {
        modrm();
        if (!memOperand) throw unsupported();
        setReg(regField, size, ea());
      }
      case 0x90 -> {
        if ((rex & 1) != 0) throw unsupported(); // xchg r8, rax
        // nop, or pause with F3
      }
      case 0x98 -> setReg(RAX, size, size == 8 ? (int) r[RAX] : size == 4 ? (short) r[RAX] : (byte) r[RAX]);
      case 0x99 -> {
        long a = getReg(RAX, size);
        setReg(RDX, size, sign(a, size) ? -1 : 0);
      }
      case 0xA8, 0xA9 -> {
        int sz = op == 0xA8 ? 1 : size;
        logicFlags(getReg(RAX, sz) & imm(sz), sz);
      }
      case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7 -> setReg((op & 7) | (rex & 1) << 3, 1, fetchS(1));
      case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF ->
          setReg((op & 7) | (rex & 1) << 3, size, size == 8 ? fetchS(8) : fetchS(size));
      case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> {
        int sz = (op & 1) == 0 ? 1 : size;
        modrm();
        int count = op <= 0xC1 ? fetch() : op <= 0xD1 ? 1 : (int) r[RCX];
        shift(regField & 7, sz, count & (sz == 8 ? 63 : 31));
      }
      case 0xC3 -> jumpTo(Flow.RET, pop());
      case 0xC6, 0xC7 -> {
        int sz = op == 0xC6 ? 1 : size;
        modrm();
        if ((regField & 7) != 0) throw unsupported();
        long v = imm(sz);
        setRm(sz, v);
      }
      case 0xE8 -> {
        long target = fetchS(4) + next();
        push(next());
        jumpTo(Flow.CALL, target);
      }
      case 0xE9 -> jumpTo(Flow.JMP, fetchS(4) + next());
      case 0xEB -> jumpTo(Flow.JMP, fetchS(1) + next());
      case 0xF6, 0xF7 -> group3(op == 0xF6 ? 1 : size);
      case 0xFE, 0xFF -> group5(op == 0xFE ? 1 : size);
      default -> throw unsupported();
    }
  }

  private void jcc(int cc, long target) {
    flow = Flow.JCC;
    taken = condition(cc);
    if (taken) rip = target;
  }

  private long imul(long a, long b, int size) {
    long res;
    if (size == 8) {
      res = a * b;
      long hi = Math.multiplyHigh(a, b);
      cf = of = hi != (res >> 63);
    } else {
      int sh = 64 - 8 * size;
      long full = (a << sh >> sh) * (b << sh >> sh);
      res = full & mask(size);
      cf = of = full != (res << sh >> sh);
    }
    zf = (res & mask(size)) == 0;
    sf = sign(res, size);
    return res;
  }

  private void shift(int kind, int size, int count) {
    long v = getRm(size) & mask(size);
    if (count == 0) return;
    int bits = 8 * size;
    long res;
    switch (kind) {
      case 4, 6 -> { // shl
        res = (v << count) & mask(size);
        cf = ((v >>> (bits - count)) & 1) != 0;
        of = sign(res, size) != cf;
      }
      case 5 -> { // shr
        res = v >>> count;
        cf = ((v >>> (count - 1)) & 1) != 0;
        of = sign(v, size);
      }
      case 7 -> { // sar
        int sh = 64 - bits;
        long s = v << sh >> sh;
        res = (s >> count) & mask(size);
        cf = ((s >> (count - 1)) & 1) != 0;
        of = false;
      }
      default -> throw unsupported();
    }
    zf = res == 0;
    sf = sign(res, size);
    setRm(size, res);
  }

  private void group3(int size) {
    modrm();
    switch (regField & 7) {
      case 0, 1 -> logicFlags(getRm(size) & imm(size), size);
      case 2 -> setRm(size, ~getRm(size));
      case 3 -> {
        long v = getRm(size);
        long res = alu(5, 0, v, size);
        cf = (v & mask(size)) != 0;
        setRm(size, res);
      }
      default -> throw unsupported();
    }
  }

  private void group5(int size) {
    modrm();
    int kind = regField & 7;
    switch (kind) {
      case 0, 1 -> {
        boolean c = cf;
        long res = alu(kind == 0 ? 0 : 5, getRm(size), 1, size);
        cf = c;
        setRm(size, res);
      }
      case 2 -> {
        long target = getRm(8);
        push(next());
        jumpTo(Flow.CALL_IND, target);
      }
      case 4 -> jumpTo(Flow.JMP_IND, getRm(8));
      case 6 -> push(getRm(8));
      default -> throw unsupported();
    }
  }

  // ---- two-byte opcodes --------------------------------------------------------------------

  private void twoByte(int op, int size) {
    switch (op) {
      case 0x05 -> { // syscall
        r[RCX] = next();
        r[R11] = rflags();
        cpl = 0;
        jumpTo(Flow.SYSCALL, lstar);
      }
      case 0x07 -> { // sysret
        if ((rex & 8) == 0) throw unsupported();
        setRflags(r[R11]);
        cpl = 3;
        jumpTo(Flow.SYSRET, r[RCX]);
      }
      case 0x1F -> modrm(); // multi-byte nop
      case 0x10, 0x28 -> { // movups/movaps xmm, m
        modrm();
        if (memOperand) {
          long a = ea();
          xmmLo[regField] = mem.read(a, 8);
          xmmHi[regField] = mem.read(a + 8, 8);
        } else {
          xmmLo[regField] = xmmLo[rmField];
          xmmHi[regField] = xmmHi[rmField];
        }
      }
      case 0x11, 0x29 -> { // movups/movaps m, xmm
        modrm();
        if (memOperand) {
          long a = ea();
          mem.write(a, 8, xmmLo[regField]);
          mem.write(a + 8, 8, xmmHi[regField]);
        } else {
          xmmLo[rmField] = xmmLo[regField];
          xmmHi[rmField] = xmmHi[regField];
        }
      }
      case 0x57 -> { // xorps
        modrm();
        if (memOperand) throw unsupported();
        xmmLo[regField] ^= xmmLo[rmField];
        xmmHi[regField] ^= xmmHi[rmField];
      }
      case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> {
        modrm();
        long v = getRm(size);
        if (condition(op & 0xF)) setReg(regField, size, v);
        else if (size == 4) setReg(regField, 4, getReg(regField, 4)); // a 32-bit cmov always zero-extends
      }
      case 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F -> {
        long target = fetchS(4) + next();
        jcc(op & 0xF, target);
      }
      case 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F -> {
        modrm();
        setRm(1, condition(op & 0xF) ? 1 : 0);
      }
      case 0xAF -> {
        modrm();
        setReg(regField, size, imul(getReg(regField, size), getRm(size), size));
      }
      case 0xB6, 0xB7 -> {
        modrm();
        setReg(regField, size, getRm(op == 0xB6 ? 1 : 2));
      }
      case 0xBE, 0xBF -> {
        modrm();
        int from = op == 0xBE ? 1 : 2;
        int sh = 64 - 8 * from;
        setReg(regField, size, getRm(from) << sh >> sh);
      }
      default -> throw unsupported();
    }
  }

  long rflags() {
    return 0x202L | (cf ? 1 : 0) | (zf ? 0x40 : 0) | (sf ? 0x80 : 0) | (of ? 0x800 : 0);
  }

  private void setRflags(long f) {
    cf = (f & 1) != 0;
    zf = (f & 0x40) != 0;
    sf = (f & 0x80) != 0;
    of = (f & 0x800) != 0;
  }
}
