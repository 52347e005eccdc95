package iptq.flow;

import capstone.Capstone;
import java.util.HashMap;
import java.util.Map;

/**
 * The synthesizer's own view of an instruction, from capstone's text (independent of iptq's
 * x86 decoder, which the flow decoder uses, and of libipt's): length, what the trace needs for
 * it, and the direct target. Cached per address, so each instruction costs one native call.
 */
final class SynthInsn {
  /**
   * FAR: a far transfer the trace gives a TIP for (SYSCALL, SYSRET, SYSENTER, SYSEXIT, IRET, far
   * JMP/CALL direct or through memory, far RET). SOFT_INT: INT n, INT3, INTO, INT1, which
   * processors trace like an interrupt (FUP at the instruction, then the TIP).
   */
  enum Kind { OTHER, JCC, JMP, CALL, JMP_IND, CALL_IND, RET, FAR, SOFT_INT, PTWRITE, MOV_CR3, STOP }

  final int length;
  final Kind kind;
  final long target;
  final String text;
  /**
   * For FAR and SOFT_INT, the instruction with its operand size, which capstone's text leaves
   * out ("ljmp m16:64", "lcall ptr16:16", "lretw imm16", "sysretq", "int n", ...), for counting
   * what a trace covered; else null.
   */
  final String far;

  private SynthInsn(int length, Kind kind, long target, String text, String far) {
    this.length = length;
    this.kind = kind;
    this.target = target;
    this.text = text;
    this.far = far;
  }

  /** A far call: libipt expects tracing to resume after it when a disable binds to it. */
  boolean farCall() {
    return far != null && (far.startsWith("lcall") || far.equals("syscall") || far.equals("sysenter"));
  }

  /** An APX instruction of src/test/c/synth-newer.c ("rex2 ..."), for counting what a trace covered. */
  boolean apx() {
    return text.startsWith("rex2");
  }

  /** libipt's class of a FAR instruction: "far call", "far jump" or "far return". */
  String farClass() {
    return farCall() ? "far call" : far.startsWith("ljmp") ? "far jump" : "far return";
  }

  /** Decodes with capstone, cached by (mode, address). */
  static final class Cache {
    { // capstone is the synthesizer's instruction oracle: skip (or, in CI, fail) without it
      iptq.testing.Required.capstone();
    }

    private final Capstone cs64 = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64);
    private final Capstone cs32 = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_32);
    private final Map<Long, SynthInsn> cache64 = new HashMap<>(), cache32 = new HashMap<>();
    private final byte[] buf = new byte[16];

    SynthInsn get(CodeCorpus.Region r, long ip) {
      Map<Long, SynthInsn> cache = r.bits() == 64 ? cache64 : cache32;
      SynthInsn i = cache.get(ip);
      if (i == null) {
        i = decode(r, ip);
        cache.put(ip, i);
      }
      return i;
    }

    private SynthInsn decode(CodeCorpus.Region r, long ip) {
      int off = (int) (ip - r.address());
      int n = Math.min(15, r.bytes().length - off);
      System.arraycopy(r.bytes(), off, buf, 0, n);
      byte[] code = java.util.Arrays.copyOf(buf, n);
      SynthInsn ptw = ptwrite(code, r.bits() == 64 ? cs64 : cs32, ip, r.bits() == 64);
      if (ptw != null) return ptw;
      SynthInsn newer = r.bits() == 64 ? newer(code) : null;
      if (newer != null) return newer;
      Capstone.CsInsn[] insns = (r.bits() == 64 ? cs64 : cs32).disasm(code, ip, 1);
      if (insns == null || insns.length == 0) return new SynthInsn(1, Kind.STOP, 0, "(bad)", null);
      Capstone.CsInsn in = insns[0];
      String m = in.mnemonic;
      for (String p : new String[] {"bnd ", "notrack ", "repz ", "rep ", "repnz ", "repne "}) {
        if (m.startsWith(p)) m = m.substring(p.length());
      }
      String ops = in.opStr == null ? "" : in.opStr;
      boolean immediate = ops.startsWith("0x") && !ops.contains(":") || ops.matches("\\d+");
      long target = immediate ? Long.parseUnsignedLong(ops.startsWith("0x") ? ops.substring(2) : ops, ops.startsWith("0x") ? 16 : 10) : 0;
      if (r.bits() == 32) target &= 0xffffffffL;
      Kind k;
      boolean far = ops.contains("fword") || ops.contains("ptr 0x") || ops.contains(":") && !ops.contains("[");
      if ((m.equals("jmp") || m.equals("call")) && far) k = Kind.STOP;
      else if (m.equals("jmp")) k = immediate ? Kind.JMP : Kind.JMP_IND;
      else if (m.equals("call")) k = immediate ? Kind.CALL : Kind.CALL_IND;
      else if (m.startsWith("j") || m.startsWith("loop")) k = immediate ? Kind.JCC : Kind.STOP;
      else if (m.equals("ret")) k = Kind.RET;
      else if (m.equals("mov") && ops.startsWith("cr3,")) k = Kind.MOV_CR3;
      else if (m.equals("ljmp") || m.equals("lcall")) k = Kind.FAR;
      else if (m.equals("syscall") || m.equals("sysret") || m.equals("sysretq") || m.equals("sysenter")
          || m.equals("sysexit") || m.equals("iretq") || m.equals("iretd") || m.equals("iret") || m.equals("retf")
          || m.equals("retfq")) k = Kind.FAR;
      else if (m.equals("int") || m.equals("int3") || m.equals("into") || m.equals("int1")) k = Kind.SOFT_INT;
      else if (m.startsWith("ret") || m.startsWith("iret") || m.startsWith("sys") || m.startsWith("int")
          || m.startsWith("vm") || m.startsWith("ljmp") || m.startsWith("lcall") || m.equals("ud2") || m.equals("ud0")
          || m.equals("ud1") || m.equals("hlt") || m.equals("ptwrite") || m.startsWith("xbegin") || m.equals("xabort")
          || m.equals("xend") || m.startsWith("mov") && ops.startsWith("cr")) k = Kind.STOP;
      else k = Kind.OTHER;
      String name = k == Kind.FAR || k == Kind.SOFT_INT ? farName(m, ops, code, r.bits() == 64) : null;
      return new SynthInsn(in.size, k, target, in.mnemonic + (ops.isEmpty() ? "" : " " + ops), name);
    }

    /**
     * The AT&T name of a far transfer with its operand size, from the prefixes: capstone 4 prints
     * "ljmp [rax]", "retf" and "sysret" whether 66 makes the operand 16-bit or REX.W 64-bit.
     */
    private static String farName(String m, String ops, byte[] code, boolean is64) {
      boolean o16 = false, w = false;
      for (byte b : code) {
        int x = b & 0xff;
        if (is64 && (x & 0xf0) == 0x40) {
          w = (x & 8) != 0;
          continue;
        }
        if (x != 0x66 && x != 0x67 && x != 0xf2 && x != 0xf3 && x != 0x2e && x != 0x36 && x != 0x3e
            && x != 0x26 && x != 0x64 && x != 0x65 && x != 0xf0) break; // the opcode
        w = false; // REX counts only right before the opcode
        if (x == 0x66) o16 = true;
      }
      String size = w ? "64" : o16 ? "16" : "32";
      return switch (m) {
        case "ljmp", "lcall" -> m + (ops.contains("[") ? " m16:" : " ptr16:") + size;
        case "retf", "retfq" -> (w ? "lretq" : o16 ? "lretw" : "lret") + (ops.isEmpty() ? "" : " imm16");
        case "iret", "iretd", "iretq" -> w ? "iretq" : o16 ? "iretw" : "iretl";
        case "sysret", "sysretq" -> w ? "sysretq" : "sysretl";
        case "sysexit" -> w ? "sysexitq" : is64 ? "sysexitl" : "sysexit";
        case "int" -> "int n";
        default -> m; // syscall, sysenter, int3, into, int1
      };
    }

    /**
     * The instructions of src/test/c/synth-newer.c, which capstone 4 predates: FRED's ERETU
     * (F3 0F 01 CA) and ERETS (F2 0F 01 CA) and UIRET (0F 01 EC), far returns; APX REX2 (D5 and
     * a payload byte, then an opcode of map 0 or, with payload bit 7, map 1, no escape) on the
     * opcodes the helpers use, sized from the APX specification: 01, 89 and AF /r, B8+r with a
     * four- or (W) eight-byte immediate, FF /4 and /2, and JMPABS (map 0 A1 with W0: an 8-byte
     * address), which the trace follows with a TIP. Null for anything else (capstone decides);
     * an unknown REX2 opcode stops the walk.
     */
    private static SynthInsn newer(byte[] code) {
      int n = code.length;
      int b0 = n > 0 ? code[0] & 0xff : 0;
      if (n >= 4 && (b0 == 0xf3 || b0 == 0xf2) && (code[1] & 0xff) == 0x0f && (code[2] & 0xff) == 0x01 && (code[3] & 0xff) == 0xca) {
        String name = b0 == 0xf3 ? "eretu" : "erets";
        return new SynthInsn(4, Kind.FAR, 0, name, name);
      }
      if (n >= 3 && b0 == 0x0f && (code[1] & 0xff) == 0x01 && (code[2] & 0xff) == 0xec) {
        return new SynthInsn(3, Kind.FAR, 0, "uiret", "uiret");
      }
      if (b0 != 0xd5) return null;
      if (n < 3) return new SynthInsn(1, Kind.STOP, 0, "(rex2, cut)", null);
      int payload = code[1] & 0xff;
      boolean map1 = (payload & 0x80) != 0, w = (payload & 0x08) != 0;
      int op = code[2] & 0xff;
      int modrm = n > 3 ? code[3] & 0xff : -1;
      boolean regForm = modrm >= 0xc0;
      if (!map1 && op == 0xa1 && !w) return new SynthInsn(11, Kind.JMP_IND, 0, "rex2 jmpabs", null);
      if (!map1 && (op == 0x01 || op == 0x89) && regForm) return new SynthInsn(4, Kind.OTHER, 0, "rex2 " + hexByte(op), null);
      if (!map1 && op >= 0xb8 && op <= 0xbf) return new SynthInsn(w ? 11 : 7, Kind.OTHER, 0, "rex2 mov imm", null);
      if (!map1 && op == 0xff && regForm && ((modrm >> 3) & 7) == 4) return new SynthInsn(4, Kind.JMP_IND, 0, "rex2 jmp", null);
      if (!map1 && op == 0xff && regForm && ((modrm >> 3) & 7) == 2) return new SynthInsn(4, Kind.CALL_IND, 0, "rex2 call", null);
      if (map1 && op == 0xaf && regForm) return new SynthInsn(4, Kind.OTHER, 0, "rex2 map1 " + hexByte(op), null);
      return new SynthInsn(1, Kind.STOP, 0, "(rex2 " + hexByte(op) + ")", null);
    }

    private static String hexByte(int b) {
      return String.format("%02x", b);
    }

    /**
     * PTWRITE (F3 [REX] 0F AE /4), which capstone 4 does not know (it takes the memory form for
     * XSAVE): recognised by its bytes, its length from capstone's XSAVE decode of the same bytes
     * without F3. The text says the payload size ("ptwrite 8" with REX.W, else "ptwrite 4").
     */
    private static SynthInsn ptwrite(byte[] code, Capstone cs, long ip, boolean is64) {
      if (code.length < 4 || (code[0] & 0xff) != 0xf3) return null;
      int i = 1;
      boolean w = false;
      if (is64 && (code[i] & 0xf0) == 0x40 && code.length > 4) {
        w = (code[i] & 0x08) != 0;
        i++;
      }
      if ((code[i] & 0xff) != 0x0f || (code[i + 1] & 0xff) != 0xae || ((code[i + 2] >> 3) & 7) != 4) return null;
      int length;
      if ((code[i + 2] & 0xc0) == 0xc0) {
        length = i + 3;
      } else {
        Capstone.CsInsn[] x = cs.disasm(java.util.Arrays.copyOfRange(code, 1, code.length), ip + 1, 1);
        if (x == null || x.length == 0) return null;
        length = 1 + x[0].size;
      }
      return new SynthInsn(length, Kind.PTWRITE, 0, "ptwrite " + (w ? 8 : 4), null);
    }
  }
}
