package iptq.x86;

/**
 * iptq's instruction length decoder and branch classifier for x86 in 16-, 32- and 64-bit mode.
 *
 * <p>It is the flow decoder's hot path: table-driven, no allocation, no native calls (capstone
 * through JNA costs microseconds per instruction; this costs nanoseconds). It decodes what the
 * walk needs — length, control-flow class, direct target — and the rest of the instruction only
 * as far as its length depends on it. Lengths follow Intel's rules where Intel and AMD differ
 * (a 66 prefix does not shorten a near branch's displacement in 64-bit mode), as libipt does,
 * since Intel PT traces come from Intel processors.
 *
 * <p>Like libipt's length decoder it does not validate every operand combination (an SSE
 * opcode with the wrong mandatory prefix still gets its length); it rejects what is undefined at
 * the opcode level: the one-byte opcodes 64-bit mode removed, undefined 0F opcodes and groups,
 * reserved VEX/EVEX/XOP maps and prefixes before VEX, and instructions over 15 bytes.
 */
public final class X86Decoder {
  private X86Decoder() {}

  /** The architectural maximum instruction length. */
  public static final int MAX_LENGTH = 15;

  // Immediate/displacement kinds after the ModRM byte (per-opcode tables).
  private static final byte I_NONE = 0;
  private static final byte I_B = 1; // imm8
  private static final byte I_W = 2; // imm16
  private static final byte I_Z = 3; // imm16/32 by operand size
  private static final byte I_V = 4; // imm16/32/64 by operand size (MOV r, imm)
  private static final byte I_ENTER = 5; // imm16 + imm8
  private static final byte I_MOFFS = 6; // offset of the address size (A0-A3)
  private static final byte I_FARPTR = 7; // ptr16:16 or ptr16:32 (9A, EA)
  private static final byte I_REL8 = 8;
  private static final byte I_RELZ = 9; // rel16/32; rel32 in 64-bit mode
  private static final byte I_F6 = 10; // imm8 only for TEST (/0, /1)
  private static final byte I_F7 = 11; // immz only for TEST (/0, /1)
  private static final byte I_D = 12; // imm32 (XOP map 0Ah)
  private static final byte I_0F78 = 13; // VMREAD, or EXTRQ/INSERTQ imm8,imm8 with 66/F2

  // Per-opcode flags.
  private static final byte F_MODRM = 1;
  private static final byte F_INV64 = 2; // undefined in 64-bit mode
  private static final byte F_INVALID = 4; // undefined in every mode
  private static final byte F_NOMOD = 8; // ModRM whose mod is ignored: always a register (MOV CRn/DRn)
  private static final byte F_GROUP = 16; // class or validity depends on the ModRM byte

  /** Per map-0/map-1 opcode: flags | immediate kind << 8 | class << 16, built from the above. */
  private static final int[] INFO0 = new int[256];
  private static final int[] INFO1 = new int[256];
  /**
   * Per ModRM byte with 32/64-bit addressing: displacement bytes, plus 8 when a SIB byte
   * follows. With 16-bit addressing: displacement bytes.
   */
  private static final byte[] MODRM32 = new byte[256];
  private static final byte[] MODRM16 = new byte[256];

  // Prefix kinds of legacy map bytes.
  private static final byte P_NONE = 0;
  private static final byte P_OSZ = 1;
  private static final byte P_ASZ = 2;
  private static final byte P_SEG = 3; // segment overrides and LOCK: no effect on length or class
  private static final byte P_F2 = 4;
  private static final byte P_F3 = 5;
  private static final byte P_REX = 6;

  private static final byte[] PREFIX = new byte[256];
  private static final byte[] FLAGS0 = new byte[256];
  private static final byte[] IMM0 = new byte[256];
  private static final byte[] CLASS0 = new byte[256];
  private static final byte[] FLAGS1 = new byte[256];
  private static final byte[] IMM1 = new byte[256];
  private static final byte[] CLASS1 = new byte[256];
  /** Immediate kinds of VEX/EVEX map 1 (0F): the few with an imm8. */
  private static final byte[] IMM_VEX1 = new byte[256];

  private static final int C_OTHER = InsnClass.OTHER.ordinal();
  private static final InsnClass[] CLASSES = InsnClass.values();

  static {
    PREFIX[0x66] = P_OSZ;
    PREFIX[0x67] = P_ASZ;
    for (int b : new int[] {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0}) {
      PREFIX[b] = P_SEG;
    }
    PREFIX[0xf2] = P_F2;
    PREFIX[0xf3] = P_F3;
    for (int b = 0x40; b <= 0x4f; b++) {
      PREFIX[b] = P_REX; // only in 64-bit mode; INC/DEC otherwise
    }

    // ---- one-byte map ----
    for (int row = 0x00; row <= 0x38; row += 8) {
      // ALU rows: op r/m,r ; op r,r/m ; AL,imm8 ; eAX,immz
      for (int k = 0; k < 4; k++) {
        FLAGS0[row + k] = F_MODRM;
      }
      IMM0[row + 4] = I_B;
      IMM0[row + 5] = I_Z;
    }
    for (int b : new int[] {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f}) {
      FLAGS0[b] = F_INV64; // PUSH/POP seg, DAA, DAS, AAA, AAS
    }
    FLAGS0[0x60] = F_INV64; // PUSHA
    FLAGS0[0x61] = F_INV64; // POPA
    FLAGS0[0x62] = F_MODRM | F_INV64; // BOUND (EVEX handled before the table)
    FLAGS0[0x63] = F_MODRM; // ARPL / MOVSXD
    IMM0[0x68] = I_Z;
    FLAGS0[0x69] = F_MODRM;
    IMM0[0x69] = I_Z;
    IMM0[0x6a] = I_B;
    FLAGS0[0x6b] = F_MODRM;
    IMM0[0x6b] = I_B;
    for (int b = 0x70; b <= 0x7f; b++) {
      IMM0[b] = I_REL8;
      CLASS0[b] = (byte) InsnClass.JCC.ordinal();
    }
    FLAGS0[0x80] = F_MODRM;
    IMM0[0x80] = I_B;
    FLAGS0[0x81] = F_MODRM;
    IMM0[0x81] = I_Z;
    FLAGS0[0x82] = F_MODRM | F_INV64;
    IMM0[0x82] = I_B;
    FLAGS0[0x83] = F_MODRM;
    IMM0[0x83] = I_B;
    for (int b = 0x84; b <= 0x8f; b++) {
      FLAGS0[b] = F_MODRM;
    }
    FLAGS0[0x9a] = F_INV64;
    IMM0[0x9a] = I_FARPTR;
    CLASS0[0x9a] = (byte) InsnClass.CALL_FAR.ordinal();
    for (int b = 0xa0; b <= 0xa3; b++) {
      IMM0[b] = I_MOFFS;
    }
    IMM0[0xa8] = I_B;
    IMM0[0xa9] = I_Z;
    for (int b = 0xb0; b <= 0xb7; b++) {
      IMM0[b] = I_B;
    }
    for (int b = 0xb8; b <= 0xbf; b++) {
      IMM0[b] = I_V;
    }
    FLAGS0[0xc0] = F_MODRM;
    IMM0[0xc0] = I_B;
    FLAGS0[0xc1] = F_MODRM;
    IMM0[0xc1] = I_B;
    IMM0[0xc2] = I_W;
    CLASS0[0xc2] = (byte) InsnClass.RET_NEAR.ordinal();
    CLASS0[0xc3] = (byte) InsnClass.RET_NEAR.ordinal();
    FLAGS0[0xc4] = F_MODRM | F_INV64; // LES (VEX handled before the table)
    FLAGS0[0xc5] = F_MODRM | F_INV64; // LDS
    FLAGS0[0xc6] = F_MODRM;
    IMM0[0xc6] = I_B;
    FLAGS0[0xc7] = F_MODRM;
    IMM0[0xc7] = I_Z; // MOV r/m,immz; XBEGIN rel16/32 has the same size
    IMM0[0xc8] = I_ENTER;
    IMM0[0xca] = I_W;
    CLASS0[0xca] = (byte) InsnClass.RET_FAR.ordinal();
    CLASS0[0xcb] = (byte) InsnClass.RET_FAR.ordinal();
    CLASS0[0xcc] = (byte) InsnClass.INT3.ordinal();
    IMM0[0xcd] = I_B;
    CLASS0[0xcd] = (byte) InsnClass.INT.ordinal();
    FLAGS0[0xce] = F_INV64;
    CLASS0[0xce] = (byte) InsnClass.INTO.ordinal();
    CLASS0[0xcf] = (byte) InsnClass.IRET.ordinal();
    for (int b = 0xd0; b <= 0xd3; b++) {
      FLAGS0[b] = F_MODRM;
    }
    FLAGS0[0xd4] = F_INV64; // AAM
    IMM0[0xd4] = I_B;
    FLAGS0[0xd5] = F_INV64; // AAD
    IMM0[0xd5] = I_B;
    FLAGS0[0xd6] = F_INV64; // SALC
    for (int b = 0xd8; b <= 0xdf; b++) {
      FLAGS0[b] = F_MODRM; // x87
    }
    for (int b = 0xe0; b <= 0xe3; b++) {
      IMM0[b] = I_REL8; // LOOPNE, LOOPE, LOOP, JrCXZ
      CLASS0[b] = (byte) InsnClass.JCC.ordinal();
    }
    for (int b = 0xe4; b <= 0xe7; b++) {
      IMM0[b] = I_B;
    }
    IMM0[0xe8] = I_RELZ;
    CLASS0[0xe8] = (byte) InsnClass.CALL_DIRECT.ordinal();
    IMM0[0xe9] = I_RELZ;
    CLASS0[0xe9] = (byte) InsnClass.JMP_DIRECT.ordinal();
    FLAGS0[0xea] = F_INV64;
    IMM0[0xea] = I_FARPTR;
    CLASS0[0xea] = (byte) InsnClass.JMP_FAR.ordinal();
    IMM0[0xeb] = I_REL8;
    CLASS0[0xeb] = (byte) InsnClass.JMP_DIRECT.ordinal();
    CLASS0[0xf1] = (byte) InsnClass.INT1.ordinal();
    FLAGS0[0xf6] = F_MODRM;
    IMM0[0xf6] = I_F6;
    FLAGS0[0xf7] = F_MODRM;
    IMM0[0xf7] = I_F7;
    FLAGS0[0xfe] = F_MODRM;
    FLAGS0[0xff] = F_MODRM;

    // ---- two-byte map (0F xx) ----
    for (int b = 0; b < 256; b++) {
      FLAGS1[b] = F_MODRM;
    }
    for (int b : new int[] {0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33,
        0x34, 0x35, 0x37, 0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa}) {
      FLAGS1[b] = 0; // no ModRM: SYSCALL, CLTS, SYSRET, INVD, WBINVD, UD2, FEMMS, WRMSR...
    }
    for (int b = 0xc8; b <= 0xcf; b++) {
      FLAGS1[b] = 0; // BSWAP
    }
    for (int b : new int[] {0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c,
        0x3d, 0x3e, 0x3f, 0x7a, 0x7b, 0xa6, 0xa7}) {
      FLAGS1[b] = F_INVALID;
    }
    for (int b = 0x20; b <= 0x23; b++) {
      FLAGS1[b] = F_MODRM | F_NOMOD; // MOV to/from CRn/DRn: always registers
    }
    FLAGS1[0x05] = 0;
    CLASS1[0x05] = (byte) InsnClass.SYSCALL.ordinal();
    CLASS1[0x07] = (byte) InsnClass.SYSRET.ordinal();
    CLASS1[0x0b] = (byte) InsnClass.UD.ordinal();
    IMM1[0x0f] = I_B; // 3DNow!: the opcode is a trailing imm8
    CLASS1[0x34] = (byte) InsnClass.SYSENTER.ordinal();
    CLASS1[0x35] = (byte) InsnClass.SYSEXIT.ordinal();
    for (int b = 0x70; b <= 0x73; b++) {
      IMM1[b] = I_B; // PSHUF*, shift groups 12-14
    }
    IMM1[0x78] = I_0F78;
    for (int b = 0x80; b <= 0x8f; b++) {
      FLAGS1[b] = 0;
      IMM1[b] = I_RELZ;
      CLASS1[b] = (byte) InsnClass.JCC.ordinal();
    }
    IMM1[0xa4] = I_B; // SHLD imm8
    IMM1[0xac] = I_B; // SHRD imm8
    IMM1[0xba] = I_B; // BT group 8
    CLASS1[0xb9] = (byte) InsnClass.UD.ordinal(); // UD1
    for (int b : new int[] {0xc2, 0xc4, 0xc5, 0xc6}) {
      IMM1[b] = I_B; // CMPPS, PINSRW, PEXTRW, SHUFPS
    }
    CLASS1[0xff] = (byte) InsnClass.UD.ordinal(); // UD0 (with ModRM, as Intel defines it)

    for (int b : new int[] {0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6}) {
      IMM_VEX1[b] = I_B;
    }
    for (int b : new int[] {0xff, 0xfe, 0x8f, 0xc6, 0xc7}) {
      FLAGS0[b] |= F_GROUP;
    }
    for (int b : new int[] {0x01, 0x22, 0xc7, 0xae}) {
      FLAGS1[b] |= F_GROUP;
    }
    for (int b = 0; b < 256; b++) {
      INFO0[b] = FLAGS0[b] | IMM0[b] << 8 | CLASS0[b] << 16;
      INFO1[b] = FLAGS1[b] | IMM1[b] << 8 | CLASS1[b] << 16;
      int mod = b >> 6;
      int rm = b & 7;
      if (mod == 3) {
        continue;
      }
      int disp = mod == 1 ? 1 : mod == 2 ? 4 : rm == 5 ? 4 : 0;
      MODRM32[b] = (byte) (disp + (rm == 4 ? 8 : 0));
      MODRM16[b] = (byte) (mod == 1 ? 1 : mod == 2 || rm == 6 ? 2 : 0);
    }
  }

  /**
   * Decodes the instruction at {@code code[off]}, of which {@code avail} bytes are available,
   * located at {@code ip} and executed in {@code mode}, into {@code out}. Returns false when it
   * cannot: {@code out.error} then says why ({@link Insn#TRUNCATED} when more bytes might
   * decode it), and {@code out.length} how far decoding got.
   */
  public static boolean decode(byte[] code, int off, int avail, long ip, Mode mode, Insn out) {
    final boolean m64 = mode == Mode.BITS64;
    avail = Math.max(0, Math.min(avail, code.length - off)); // never read past the array
    final int limit = off + Math.min(avail, MAX_LENGTH);
    boolean osz = false;
    boolean asz = false;
    int lastRep = 0; // 0xF2 or 0xF3, whichever came last
    boolean f3 = false;
    boolean badVexPrefix = false; // 66/F2/F3/LOCK/REX before VEX: #UD
    int rex = 0;
    int p = off;
    int b;
    // Legacy prefixes and REX. A REX counts only right before the opcode.
    while (true) {
      if (p >= limit) {
        return fail(out, off, p + 1, avail);
      }
      b = code[p] & 0xff;
      byte kind = PREFIX[b];
      if (kind == P_NONE) {
        break;
      }
      switch (kind) {
        case P_OSZ:
          osz = true;
          badVexPrefix = true;
          rex = 0;
          break;
        case P_ASZ:
          asz = true;
          rex = 0;
          break;
        case P_SEG:
          if (b == 0xf0) {
            badVexPrefix = true;
          }
          rex = 0;
          break;
        case P_F2:
          lastRep = 0xf2;
          badVexPrefix = true;
          rex = 0;
          break;
        case P_F3:
          lastRep = 0xf3;
          f3 = true;
          badVexPrefix = true;
          rex = 0;
          break;
        default: // REX
          if (!m64) {
            break;
          }
          rex = b;
          badVexPrefix = true;
          break;
      }
      if (kind == P_REX && !m64) {
        break; // INC/DEC
      }
      p++;
    }
    p++; // the opcode byte b
    // APX REX2 (D5 in 64-bit mode; AAD elsewhere): one payload byte, then the opcode of map 0 or
    // map 1 (payload bit 7) with no escape byte. Its W and R bits act as REX's.
    int rex2Map = -1;
    if (b == 0xd5 && m64) {
      if (p + 1 >= limit) {
        return fail(out, off, p + 2, avail);
      }
      int payload = code[p] & 0xff;
      rex = 0x40 | (payload & 8) | ((payload & 0x44) != 0 ? 4 : 0);
      rex2Map = payload >> 7;
      b = code[p + 1] & 0xff;
      p += 2;
      if (rex2Map == 0 && (b == 0x0f || b == 0xd5 || PREFIX[b] != P_NONE)) {
        return invalid(out, off, p); // an escape or prefix after REX2: #UD
      }
    }
    // Effective operand size in bits: REX.W wins over 66.
    final int eosz;
    if (m64) {
      eosz = (rex & 8) != 0 ? 64 : osz ? 16 : 32;
    } else if (mode == Mode.BITS32) {
      eosz = osz ? 16 : 32;
    } else {
      eosz = osz ? 32 : 16;
    }
    final int easz = m64 ? (asz ? 32 : 64) : (mode == Mode.BITS32) == asz ? 16 : 32;

    int flags;
    int imm;
    int cls;
    int map; // 0: one-byte, 1: 0F, 2: 0F38, 3: 0F3A, 16+: VEX/EVEX/XOP (no branches)
    int op;
    if (rex2Map >= 0) {
      map = rex2Map;
      op = b;
      int info = map == 0 ? INFO0[b] : INFO1[b];
      flags = info & 0xff;
      imm = (info >> 8) & 0xff;
      cls = rex2Class(info >>> 16, map, op, rex, osz, asz);
    } else if (b == 0x0f) {
      if (p >= limit) {
        return fail(out, off, p + 1, avail);
      }
      op = code[p++] & 0xff;
      if (op == 0x38 || op == 0x3a) {
        if (p >= limit) {
          return fail(out, off, p + 1, avail);
        }
        map = op == 0x38 ? 2 : 3;
        op = code[p++] & 0xff;
        flags = F_MODRM;
        imm = map == 3 ? I_B : I_NONE;
        cls = C_OTHER;
      } else {
        map = 1;
        int info = INFO1[op];
        flags = info & 0xff;
        imm = (info >> 8) & 0xff;
        cls = info >>> 16;
      }
    } else if ((b == 0xc4 || b == 0xc5 || b == 0x62 || b == 0x8f) && isVexLike(code, p, limit, b, m64)) {
      if (badVexPrefix) {
        return invalid(out, off, p);
      }
      int vexLen = b == 0xc5 ? 2 : b == 0x62 ? 4 : 3; // bytes of the escape incl. b
      if (p - 1 + vexLen >= limit) {
        return fail(out, off, p - 1 + vexLen + 1, avail);
      }
      int p0 = code[p] & 0xff;
      int vmap;
      int pp;
      if (b == 0xc5) {
        vmap = 1;
        pp = p0 & 3;
      } else if (b == 0x62) {
        int p1 = code[p + 1] & 0xff;
        if ((p0 & 0x08) != 0 || (p1 & 0x04) == 0) {
          return invalid(out, off, p + 2); // reserved EVEX bits
        }
        vmap = p0 & 7;
        pp = p1 & 3;
        if (vmap == 0 || vmap == 4 || vmap == 7) {
          return invalid(out, off, p + 1);
        }
      } else {
        vmap = p0 & 0x1f;
        pp = code[p + 1] & 3;
        if (b == 0xc4 ? vmap < 1 || vmap > 3 : vmap < 8 || vmap > 10) {
          return invalid(out, off, p + 1);
        }
      }
      p = p - 1 + vexLen;
      op = code[p++] & 0xff;
      map = 16 + vmap + (b == 0x62 ? 32 : b == 0x8f ? 0 : 16);
      cls = C_OTHER;
      flags = F_MODRM;
      if (vmap == 1) {
        imm = IMM_VEX1[op];
        if (op == 0x77 && b != 0x62) {
          flags = 0; // VZEROUPPER / VZEROALL
        }
      } else if (vmap == 3 || vmap == 8) {
        imm = I_B;
      } else if (vmap == 10) {
        imm = I_D;
      } else {
        imm = I_NONE;
      }
      osz = pp == 1;
      lastRep = pp == 3 ? 0xf2 : pp == 2 ? 0xf3 : 0;
    } else {
      map = 0;
      op = b;
      int info = INFO0[b];
      flags = info & 0xff;
      imm = (info >> 8) & 0xff;
      cls = info >>> 16;
    }

    if ((flags & (F_INVALID | F_INV64)) != 0 && ((flags & F_INVALID) != 0 || m64)) {
      return invalid(out, off, p);
    }

    int modrm = -1;
    if ((flags & F_MODRM) != 0) {
      if (p >= limit) {
        return fail(out, off, p + 1, avail);
      }
      modrm = code[p++] & 0xff;
      if ((flags & F_NOMOD) == 0) {
        if (easz != 16) {
          int extra = MODRM32[modrm];
          if (extra >= 8) {
            if (p >= limit) {
              return fail(out, off, p + 1, avail);
            }
            int sib = code[p++] & 0xff;
            extra -= 8;
            if (modrm < 0x40 && (sib & 7) == 5) {
              extra = 4;
            }
          }
          p += extra;
        } else {
          p += MODRM16[modrm];
        }
      }
      if ((flags & F_GROUP) == 0) {
        // nothing depends on ModRM.reg
      } else if (map == 0) {
        int mod = modrm >> 6;
        int reg = (modrm >> 3) & 7;
        switch (op) {
          case 0xff:
            if (reg == 2) {
              cls = InsnClass.CALL_INDIRECT.ordinal();
            } else if (reg == 4) {
              cls = InsnClass.JMP_INDIRECT.ordinal();
            } else if (reg == 3 || reg == 5) {
              if (mod == 3) {
                return invalid(out, off, p);
              }
              cls = reg == 3 ? InsnClass.CALL_FAR.ordinal() : InsnClass.JMP_FAR.ordinal();
            } else if (reg == 7) {
              return invalid(out, off, p);
            }
            break;
          case 0xfe:
            if (reg > 1) {
              return invalid(out, off, p);
            }
            break;
          case 0x8f:
            if (reg != 0) {
              return invalid(out, off, p);
            }
            break;
          case 0xc6:
          case 0xc7:
            // MOV r/m,imm (/0); XABORT / XBEGIN (C6 F8 / C7 F8)
            if (reg != 0 && modrm != 0xf8) {
              return invalid(out, off, p);
            }
            break;
          default:
            break;
        }
      } else if (map == 1) {
        int reg = (modrm >> 3) & 7;
        switch (op) {
          case 0x01:
            if (modrm == 0xec) {
              cls = InsnClass.UIRET.ordinal();
            } else if (modrm == 0xca && lastRep != 0) {
              // FRED: ERETS with F2, ERETU with F3, whichever came last (as libipt); CLAC without
              cls = lastRep == 0xf2 ? InsnClass.ERETS.ordinal() : InsnClass.ERETU.ordinal();
            } else if (modrm == 0xc1) {
              cls = InsnClass.VMCALL.ordinal();
            } else if (modrm == 0xc2) {
              cls = InsnClass.VMLAUNCH.ordinal();
            } else if (modrm == 0xc3) {
              cls = InsnClass.VMRESUME.ordinal();
            }
            break;
          case 0x22:
            if (reg == 3 && (rex & 4) == 0) {
              cls = InsnClass.MOV_CR3.ordinal();
            }
            break;
          case 0xc7:
            if (reg == 6 && (modrm >> 6) != 3 && !osz && !f3) {
              cls = InsnClass.VMPTRLD.ordinal(); // not VMCLEAR (66) or VMXON (F3)
            }
            break;
          case 0xae:
            if (reg == 4 && f3 && !osz) { // as libipt: any F3, no 66
              cls = InsnClass.PTWRITE.ordinal();
            }
            break;
          default:
            break;
        }
      }
    }

    int disp = 0; // bytes of a relative branch displacement
    int immLen;
    switch (imm) {
      case I_NONE:
        immLen = 0;
        break;
      case I_B:
        immLen = 1;
        break;
      case I_W:
        immLen = 2;
        break;
      case I_Z:
        immLen = eosz == 16 ? 2 : 4;
        break;
      case I_V:
        immLen = eosz >> 3;
        break;
      case I_ENTER:
        immLen = 3;
        break;
      case I_MOFFS:
        immLen = easz >> 3;
        break;
      case I_FARPTR:
        immLen = eosz == 16 ? 4 : 6;
        break;
      case I_REL8:
        immLen = 0;
        disp = 1;
        break;
      case I_RELZ:
        immLen = 0;
        disp = m64 || eosz != 16 ? 4 : 2;
        break;
      case I_F6:
        immLen = ((modrm >> 3) & 7) < 2 ? 1 : 0;
        break;
      case I_F7:
        immLen = ((modrm >> 3) & 7) < 2 ? (eosz == 16 ? 2 : 4) : 0;
        break;
      case I_D:
        immLen = 4;
        break;
      case I_0F78:
        immLen = osz || lastRep == 0xf2 ? 2 : 0;
        break;
      default:
        throw new IllegalStateException("immediate kind " + imm);
    }
    int end = p + disp + immLen;
    if (end > limit) {
      return fail(out, off, end, avail);
    }
    out.length = end - off;
    out.error = Insn.OK;
    out.iclass = CLASSES[cls];
    if (cls == C_JMPABS) {
      // The absolute 64-bit target is the instruction's last eight bytes.
      long t = 0;
      for (int i = 7; i >= 0; i--) {
        t = t << 8 | (code[end - 8 + i] & 0xff);
      }
      out.target = t;
    } else if (disp != 0 && CLASSES[cls].isDirect()) {
      long rel;
      if (disp == 1) {
        rel = code[p];
      } else if (disp == 2) {
        rel = (short) ((code[p] & 0xff) | (code[p + 1] & 0xff) << 8);
      } else {
        rel = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16
            | code[p + 3] << 24;
      }
      long t = ip + out.length + rel;
      // The branch's operand size: 64 in 64-bit mode (Intel ignores 66), else eosz.
      if (!m64) {
        t &= eosz == 16 ? 0xffffL : 0xffffffffL;
      }
      out.target = t;
    } else {
      out.target = 0;
    }
    return true;
  }

  private static final int C_JMPABS = InsnClass.JMPABS.ordinal();

  /**
   * The class of a map 0 or map 1 opcode after REX2, as libipt 2.2 has it: the relative
   * branches (Jcc, JrCXZ, LOOPcc, CALL/JMP rel) and SYSENTER/SYSEXIT are not defined with REX2
   * and are no branches; map 0 A1 with W0 and neither 66 nor 67 is JMPABS.
   */
  private static int rex2Class(int cls, int map, int op, int rex, boolean osz, boolean asz) {
    if (map == 0 && op == 0xa1) {
      return (rex & 8) == 0 && !osz && !asz ? C_JMPABS : C_OTHER;
    }
    InsnClass c = CLASSES[cls];
    if (c == InsnClass.JCC || c == InsnClass.JMP_DIRECT || c == InsnClass.CALL_DIRECT
        || c == InsnClass.SYSENTER || c == InsnClass.SYSEXIT) {
      return C_OTHER;
    }
    return cls;
  }

  /**
   * Whether C4/C5 (LES/LDS), 62 (BOUND) or 8F (POP) at code[p-1] start a VEX, EVEX or XOP
   * prefix. Outside 64-bit mode the next byte decides: a ModRM with mod=11 is impossible for
   * LES/LDS/BOUND, so it means VEX/EVEX; for 8F a map field of 8 or more (ModRM.reg != 0)
   * means XOP.
   */
  private static boolean isVexLike(byte[] code, int p, int limit, int b, boolean m64) {
    if (b == 0x8f) {
      return p < limit && (code[p] & 0x1f) >= 8;
    }
    if (m64) {
      return true;
    }
    return p < limit && (code[p] & 0xc0) == 0xc0;
  }

  private static boolean invalid(Insn out, int off, int p) {
    out.error = Insn.INVALID;
    out.length = Math.min(p - off, MAX_LENGTH);
    out.iclass = InsnClass.OTHER;
    out.target = 0;
    return false;
  }

  /**
   * The instruction needs the bytes up to (excluding) {@code needEnd}: past 15 bytes it can
   * never decode; otherwise more bytes than {@code avail} would be needed.
   */
  private static boolean fail(Insn out, int off, int needEnd, int avail) {
    out.error = needEnd - off > MAX_LENGTH ? Insn.TOO_LONG : Insn.TRUNCATED;
    out.length = Math.min(Math.min(avail, MAX_LENGTH), needEnd - off);
    out.iclass = InsnClass.OTHER;
    out.target = 0;
    return false;
  }
}
