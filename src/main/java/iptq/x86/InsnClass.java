package iptq.x86;

/**
 * What an instruction does to control flow, finely enough for the flow decoder and the
 * {@code branches} table; {@link #libiptClass()} folds it to libipt's coarser classes.
 *
 * <p>As in libipt, SYSCALL, SYSENTER, INT n, INT3, INTO, INT1 and VMCALL are call-like far
 * transfers; SYSRET, SYSEXIT, IRET, far RET, VMLAUNCH, VMRESUME and (libipt 2.2) FRED's ERETU and
 * ERETS and UIRET return-like ones; MOV to CR3
 * and VMPTRLD are ordinary instructions for the walk but matter to the decoder (a PIP or a
 * VMCS packet may follow them).
 */
public enum InsnClass {
  OTHER,
  /** Jcc, JCXZ/JECXZ/JRCXZ, LOOP, LOOPE, LOOPNE: one TNT bit. */
  JCC,
  JMP_DIRECT,
  JMP_INDIRECT,
  CALL_DIRECT,
  CALL_INDIRECT,
  RET_NEAR,
  RET_FAR,
  JMP_FAR,
  CALL_FAR,
  SYSCALL,
  SYSRET,
  SYSENTER,
  SYSEXIT,
  INT,
  INT3,
  INTO,
  INT1,
  IRET,
  VMLAUNCH,
  VMRESUME,
  VMCALL,
  VMPTRLD,
  PTWRITE,
  MOV_CR3,
  /** UD0, UD1, UD2: decodable, always raise #UD (libipt: ptic_other). */
  UD,
  /**
   * APX JMPABS (REX2, map 0, A1, W0): a jump to a 64-bit absolute address in the instruction.
   * libipt 2.2 takes its target from a TIP like an indirect jump's, so the flow does too.
   */
  JMPABS,
  /** FRED ERETU (F3 0F 01 CA): return from an event to user level; a far return. */
  ERETU,
  /** FRED ERETS (F2 0F 01 CA): return from an event to supervisor level; a far return. */
  ERETS,
  /** UIRET (0F 01 EC): return from a user interrupt handler; a far return. */
  UIRET;

  private static final InsnClass[] VALUES = values();

  /** The class for {@code ordinal()}, for tables that store classes as bytes. */
  public static InsnClass ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }

  /** Any transfer of control, near or far, conditional or not. */
  public boolean isBranch() {
    return this != OTHER && this != VMPTRLD && this != PTWRITE && this != MOV_CR3 && this != UD;
  }

  /** A transfer libipt classes as far (ptic_far_call, ptic_far_return, ptic_far_jump). */
  public boolean isFarTransfer() {
    LibiptClass c = libiptClass();
    return c == LibiptClass.PTIC_FAR_CALL
        || c == LibiptClass.PTIC_FAR_RETURN
        || c == LibiptClass.PTIC_FAR_JUMP;
  }

  /** A near transfer whose target is in the instruction ({@link Insn#target} is valid). */
  public boolean isDirect() {
    return this == JCC || this == JMP_DIRECT || this == CALL_DIRECT;
  }

  /** A near transfer whose target the trace must supply in a TIP (indirect JMP/CALL, JMPABS). */
  public boolean isIndirect() {
    return this == JMP_INDIRECT || this == CALL_INDIRECT || this == JMPABS;
  }

  /** A near call: pushes a return address on the call stack used by return compression. */
  public boolean isNearCall() {
    return this == CALL_DIRECT || this == CALL_INDIRECT;
  }

  public LibiptClass libiptClass() {
    switch (this) {
      case JCC:
        return LibiptClass.PTIC_COND_JUMP;
      case JMP_DIRECT:
      case JMP_INDIRECT:
      case JMPABS:
        return LibiptClass.PTIC_JUMP;
      case CALL_DIRECT:
      case CALL_INDIRECT:
        return LibiptClass.PTIC_CALL;
      case RET_NEAR:
        return LibiptClass.PTIC_RETURN;
      case JMP_FAR:
        return LibiptClass.PTIC_FAR_JUMP;
      case CALL_FAR:
      case SYSCALL:
      case SYSENTER:
      case INT:
      case INT3:
      case INTO:
      case INT1:
      case VMCALL:
        return LibiptClass.PTIC_FAR_CALL;
      case RET_FAR:
      case SYSRET:
      case SYSEXIT:
      case IRET:
      case VMLAUNCH:
      case VMRESUME:
      case ERETU:
      case ERETS:
      case UIRET:
        return LibiptClass.PTIC_FAR_RETURN;
      case PTWRITE:
        return LibiptClass.PTIC_PTWRITE;
      default:
        return LibiptClass.PTIC_OTHER;
    }
  }
}
