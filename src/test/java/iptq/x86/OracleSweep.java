package iptq.x86;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linear sweep of a byte range with capstone (batch) and iptq side by side: every instruction
 * capstone decodes must get the same length, class and direct target from iptq. Where capstone
 * cannot decode, iptq's answer is counted (and may differ, see {@link #deliberate}); the sweep
 * resumes after iptq's length, or one byte on.
 */
final class OracleSweep {
  static final int CHUNK = 64 * 1024;

  final Mode mode;
  final CapstoneBatch cs;
  final Insn insn = new Insn();
  long compared;
  long capstoneRejected;
  long bothRejected;
  long deliberateCount;
  final Map<String, Long> deliberateByReason = new TreeMap<>();
  final Map<String, Long> classCounts = new TreeMap<>();
  final List<String> mismatches = new ArrayList<>();
  /** A few instances of each capstone rejection iptq decodes, for the report. */
  final Map<String, List<String>> examples = new TreeMap<>();
  long mismatchCount;
  /** Real code: every capstone rejection iptq decodes must fall into a documented category. */
  boolean strict;
  /**
   * A second disassembler's length at an offset of the swept bytes (-1: none there), checked
   * where capstone rejects what iptq decodes; null when there is none.
   */
  java.util.function.IntUnaryOperator secondOpinion;
  long confirmedBySecond;

  OracleSweep(Mode mode, CapstoneBatch cs) {
    this.mode = mode;
    this.cs = cs;
  }

  /** Sweeps code[0..len) at address base until {@code budget} instructions were compared. */
  void sweep(byte[] code, int len, long base, long budget, String where) {
    cs.load(code, 0, len);
    int pos = 0;
    while (pos < len && compared < budget) {
      int chunkEnd = Math.min(len, pos + CHUNK);
      int n = cs.disasm(pos, chunkEnd - pos, base + pos);
      for (int i = 0; i < n && compared < budget; i++) {
        int at = (int) (cs.address(i) - base);
        compare(code, at, len, base, i, where);
        pos = at + cs.size(i);
      }
      if (compared >= budget) {
        return;
      }
      if (pos >= len) {
        return;
      }
      if (chunkEnd < len && chunkEnd - pos < X86Decoder.MAX_LENGTH) {
        continue; // capstone stopped at the chunk's end, not at a bad instruction
      }
      // capstone cannot decode the bytes at pos.
      capstoneRejected++;
      boolean ok = X86Decoder.decode(code, pos, len - pos, base + pos, mode, insn);
      if (!ok) {
        bothRejected++;
        pos++;
      } else {
        String reason = deliberate(code, pos, len - pos, mode);
        if (secondOpinion != null) {
          int other = secondOpinion.applyAsInt(pos);
          if (other == insn.length) {
            confirmedBySecond++;
          } else {
            mismatchCount++;
            if (mismatches.size() < 40) {
              mismatches.add(where + "+0x" + Integer.toHexString(pos) + " [" + hex(code, pos,
                  insn.length) + "]: capstone rejects, iptq length " + insn.length
                  + ", second disassembler " + other);
            }
          }
        }
        if (reason == null) {
          reason = "uncategorised: " + unknownKind(code, pos);
          if (strict) {
            mismatchCount++;
            if (mismatches.size() < 40) {
              mismatches.add(where + "+0x" + Integer.toHexString(pos) + " [" + hex(code, pos,
                  insn.length) + "]: capstone rejects, iptq decodes " + insn);
            }
          }
        }
        deliberateByReason.merge(reason, 1L, Long::sum);
        examples.computeIfAbsent(reason, k -> new ArrayList<>());
        if (examples.get(reason).size() < 3) {
          examples.get(reason).add(where + "+0x" + Integer.toHexString(pos) + " ["
              + hex(code, pos, insn.length) + "]");
        }
        deliberateCount++;
        pos += insn.length;
      }
    }
  }

  private void compare(byte[] code, int at, int len, long base, int i, String where) {
    compared++;
    int csLen = cs.size(i);
    String mn = cs.mnemonic(i);
    String ops = cs.opStr(i);
    InsnClass csClass = CapstoneClasses.of(cs.id(i), mn, ops);
    classCounts.merge(csClass.name(), 1L, Long::sum);
    boolean ok = X86Decoder.decode(code, at, len - at, base + at, mode, insn);
    String problem = null;
    if (!ok) {
      problem = "iptq cannot decode (" + Insn.errorName(insn.error) + ")";
    } else if (insn.length != csLen && insn.iclass == InsnClass.UD
        && (cs.id(i) == capstone.X86_const.X86_INS_UD2B || cs.id(i) == capstone.X86_const.X86_INS_UD0)) {
      // capstone 4 gives UD1 ("ud2b", 0F B9) and UD0 (0F FF) no ModRM byte (AMD's UD0 has
      // none); Intel's SDM, which libipt follows, defines both as 0F B9 /r and 0F FF /r.
      deliberateByReason.merge(UD_MODRM, 1L, Long::sum);
      deliberateCount++;
      return;
    } else if (insn.length > csLen && mode == Mode.BITS64 && csClass.isDirect()
        && insn.iclass == csClass && hasPrefix(code, at, 0x66, 0x67)) {
      // Intel ignores 66 (and 67) on near branches in 64-bit mode: rel32, 64-bit target;
      // capstone 4 takes rel16 as AMD processors do. Intel PT traces come from Intel.
      deliberateByReason.merge(BRANCH66, 1L, Long::sum);
      deliberateCount++;
      return;
    } else if (insn.length != csLen) {
      problem = "length " + insn.length + " vs capstone " + csLen;
    } else if (insn.iclass != csClass) {
      problem = "class " + insn.iclass + " vs capstone " + csClass;
    } else if (csClass.isDirect() && insn.target != CapstoneClasses.target(ops)
        && mode != Mode.BITS64 && ((insn.target ^ CapstoneClasses.target(ops)) & 0xffff) == 0) {
      // A 66 prefix outside 64-bit mode: iptq wraps the target to the operand size as the
      // processor does (EIP AND FFFFh for 16 bits; none for 32 bits in 16-bit mode, where a
      // target past the CS limit faults); capstone 4 wraps 16-bit-mode targets at 64 KiB and
      // never wraps 32-bit-mode ones.
      deliberateByReason.merge(WRAP16, 1L, Long::sum);
      deliberateCount++;
      return;
    } else if (csClass.isDirect() && insn.target != CapstoneClasses.target(ops)) {
      problem = "target 0x" + Long.toHexString(insn.target) + " vs capstone " + ops;
    }
    if (problem != null) {
      mismatchCount++;
      if (mismatches.size() < 40) {
        mismatches.add(where + "+0x" + Integer.toHexString(at) + " [" + hex(code, at,
            Math.min(len - at, Math.max(csLen, 1))) + "] " + mn + " " + ops + ": " + problem);
      }
    }
  }

  static final String UD_MODRM = "UD0/UD1 with ModRM (Intel) vs without (capstone 4)";
  static final String WRAP16 = "target wrapped to the operand size (Intel) vs to the mode (capstone 4)";
  static final String BRANCH66 = "66/67 on a near branch in 64-bit mode: rel32 (Intel) vs rel16 "
      + "(capstone 4, as AMD)";
  static final String LOCK = "LOCK where LOCK is #UD";
  static final String FORM_HOLE = "register form of a memory-only opcode (LEA/LES/LDS/BOUND/"
      + "far JMP/CALL) or Sreg > 5";
  static final String X87_HOLE = "undefined x87 register form";
  static final String GROUP_HOLE = "undefined sub-opcode of a 0F group (0F 00/01/18-1F/AE/C7...)";
  static final String SSE_PREFIX = "0F/0F38/0F3A opcode with a mandatory prefix (or none) it "
      + "does not define, or an extension capstone 4 lacks";
  static final String THREE_DNOW = "3DNow! (0F 0F) with an undefined suffix";
  static final String REX2 = "APX REX2 (D5 in 64-bit mode): capstone 4 predates APX; iptq sizes "
      + "it as libipt 2.2 does";
  static final String VEX = "VEX/EVEX/XOP form capstone 4 rejects (reserved fields, unknown "
      + "opcode or newer extension)";

  /**
   * The documented kind of disagreement when capstone rejects bytes iptq decodes; null when it
   * is none of them. iptq, like libipt's length decoder, sizes every opcode without checking
   * that the operand form, prefix combination or extension exists: on hardware such bytes raise
   * #UD (the trace shows an exception), so their length never matters to the walk.
   */
  static String deliberate(byte[] code, int at, int avail, Mode mode) {
    int p = at;
    int end = at + Math.min(avail, 15);
    boolean lock = false;
    while (p < end && (isPrefix(code[p] & 0xff) && (mode == Mode.BITS64 || (code[p] & 0xf0) != 0x40))) {
      lock |= code[p] == (byte) 0xf0;
      p++;
    }
    if (p >= end) {
      return null;
    }
    if (lock) {
      return LOCK;
    }
    int b = code[p] & 0xff;
    int next = p + 1 < end ? code[p + 1] & 0xff : 0;
    switch (b) {
      case 0x0f:
        if (next == 0x0f) {
          return THREE_DNOW;
        }
        int modrm = p + 2 < end ? code[p + 2] & 0xff : 0;
        if (next == 0x00 || next == 0x01 || (next >= 0x18 && next <= 0x1f) || next == 0xae
            || next == 0xc7 || next == 0xb9 || next == 0xba || next == 0x0d || (next >= 0x71 && next <= 0x73)) {
          return GROUP_HOLE;
        }
        return SSE_PREFIX;
      case 0x62:
      case 0xc4:
      case 0xc5:
        return mode != Mode.BITS64 && (next & 0xc0) != 0xc0 ? FORM_HOLE : VEX;
      case 0x8f:
        return VEX;
      case 0xd5:
        return mode == Mode.BITS64 ? REX2 : null;
      case 0x8d:
      case 0x8c:
      case 0x8e:
      case 0xff:
        return FORM_HOLE;
      default:
        if (b >= 0xd8 && b <= 0xdf) {
          return X87_HOLE;
        }
        return null;
    }
  }

  private static String unknownKind(byte[] code, int at) {
    int p = at;
    while (p < at + 14 && p < code.length && isPrefix(code[p] & 0xff)) {
      p++;
    }
    int b = code[p] & 0xff;
    if (b == 0x0f && p + 1 < code.length) {
      int b2 = code[p + 1] & 0xff;
      if ((b2 == 0x38 || b2 == 0x3a) && p + 2 < code.length) {
        return String.format("0F %02X %02X", b2, code[p + 2] & 0xff);
      }
      return String.format("0F %02X", b2);
    }
    if (b == 0xc4 || b == 0xc5 || b == 0x62 || b == 0x8f) {
      return String.format("%02X (VEX/EVEX/XOP)", b);
    }
    return String.format("%02X", b);
  }

  /** Whether the legacy prefixes (and REX) before the opcode at {@code at} include a or b. */
  private static boolean hasPrefix(byte[] code, int at, int a, int b) {
    for (int p = at; p < Math.min(code.length, at + 15) && isPrefix(code[p] & 0xff); p++) {
      if ((code[p] & 0xff) == a || (code[p] & 0xff) == b) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPrefix(int b) {
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e
        || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65
        || (b >= 0x40 && b <= 0x4f);
  }

  static String hex(byte[] b, int off, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b[off + i] & 0xff));
    }
    return sb.toString();
  }

  String summary() {
    return mode + ": compared " + compared + " instructions, " + mismatchCount + " mismatches; "
        + "capstone rejected " + capstoneRejected + " (iptq too: " + bothRejected
        + ", iptq decodes: " + deliberateCount + " " + deliberateByReason
        + (secondOpinion != null ? ", lengths confirmed by objdump: " + confirmedBySecond : "")
        + "); classes "
        + classCounts + "; examples " + examples;
  }
}
