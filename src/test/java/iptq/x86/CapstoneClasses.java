package iptq.x86;

import capstone.X86_const;
import java.util.HashMap;
import java.util.Map;

/** capstone 4's instruction ids (plus operand text where the id is not enough) as iptq classes. */
final class CapstoneClasses {
  private CapstoneClasses() {}

  private static final Map<Integer, InsnClass> BY_ID = new HashMap<>();

  static {
    for (int id : new int[] {X86_const.X86_INS_JAE, X86_const.X86_INS_JA, X86_const.X86_INS_JBE,
        X86_const.X86_INS_JB, X86_const.X86_INS_JE, X86_const.X86_INS_JGE, X86_const.X86_INS_JG,
        X86_const.X86_INS_JLE, X86_const.X86_INS_JL, X86_const.X86_INS_JNE, X86_const.X86_INS_JNO,
        X86_const.X86_INS_JNP, X86_const.X86_INS_JNS, X86_const.X86_INS_JO, X86_const.X86_INS_JP,
        X86_const.X86_INS_JS, X86_const.X86_INS_JCXZ, X86_const.X86_INS_JECXZ,
        X86_const.X86_INS_JRCXZ, X86_const.X86_INS_LOOP, X86_const.X86_INS_LOOPE,
        X86_const.X86_INS_LOOPNE}) {
      BY_ID.put(id, InsnClass.JCC);
    }
    BY_ID.put(X86_const.X86_INS_RET, InsnClass.RET_NEAR);
    BY_ID.put(X86_const.X86_INS_RETF, InsnClass.RET_FAR);
    BY_ID.put(X86_const.X86_INS_RETFQ, InsnClass.RET_FAR);
    BY_ID.put(X86_const.X86_INS_LJMP, InsnClass.JMP_FAR);
    BY_ID.put(X86_const.X86_INS_LCALL, InsnClass.CALL_FAR);
    BY_ID.put(X86_const.X86_INS_IRET, InsnClass.IRET);
    BY_ID.put(X86_const.X86_INS_IRETD, InsnClass.IRET);
    BY_ID.put(X86_const.X86_INS_IRETQ, InsnClass.IRET);
    BY_ID.put(X86_const.X86_INS_SYSCALL, InsnClass.SYSCALL);
    BY_ID.put(X86_const.X86_INS_SYSRET, InsnClass.SYSRET);
    BY_ID.put(X86_const.X86_INS_SYSENTER, InsnClass.SYSENTER);
    BY_ID.put(X86_const.X86_INS_SYSEXIT, InsnClass.SYSEXIT);
    BY_ID.put(X86_const.X86_INS_INT, InsnClass.INT);
    BY_ID.put(X86_const.X86_INS_INT1, InsnClass.INT1);
    BY_ID.put(X86_const.X86_INS_INT3, InsnClass.INT3);
    BY_ID.put(X86_const.X86_INS_INTO, InsnClass.INTO);
    BY_ID.put(X86_const.X86_INS_VMCALL, InsnClass.VMCALL);
    BY_ID.put(X86_const.X86_INS_VMLAUNCH, InsnClass.VMLAUNCH);
    BY_ID.put(X86_const.X86_INS_VMRESUME, InsnClass.VMRESUME);
    BY_ID.put(X86_const.X86_INS_VMPTRLD, InsnClass.VMPTRLD);
    BY_ID.put(X86_const.X86_INS_UD2, InsnClass.UD);
    BY_ID.put(X86_const.X86_INS_UD2B, InsnClass.UD);
    BY_ID.put(X86_const.X86_INS_UD0, InsnClass.UD);
  }

  /** The class capstone's decoding implies; {@code opStr} tells direct from indirect JMP/CALL. */
  static InsnClass of(int id, String mnemonic, String opStr) {
    if (id == X86_const.X86_INS_JMP) {
      return isImmediate(opStr) ? InsnClass.JMP_DIRECT : InsnClass.JMP_INDIRECT;
    }
    if (id == X86_const.X86_INS_CALL) {
      return isImmediate(opStr) ? InsnClass.CALL_DIRECT : InsnClass.CALL_INDIRECT;
    }
    if (id == X86_const.X86_INS_MOV && opStr.startsWith("cr3,")) {
      return InsnClass.MOV_CR3;
    }
    return BY_ID.getOrDefault(id, InsnClass.OTHER);
  }

  static boolean isImmediate(String opStr) {
    return !opStr.isEmpty() && Character.isDigit(opStr.charAt(0));
  }

  /** The target of a direct branch as capstone prints it ("0x401000"). */
  static long target(String opStr) {
    return opStr.startsWith("0x") ? Long.parseUnsignedLong(opStr.substring(2), 16)
        : Long.parseLong(opStr);
  }
}
