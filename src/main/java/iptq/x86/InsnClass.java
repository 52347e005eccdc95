package iptq.x86;

/**
 * What an instruction does to control flow, finely enough for the flow decoder and the
 * {@code branches} table; {@link #libiptClass()} folds it to libipt's coarser classes.
 *
 * <p>As in libipt, SYSCALL, SYSENTER, INT n, INT3, INTO, INT1 and VMCALL are call-like far
 * transfers; SYSRET, SYSEXIT, IRET, far RET, VMLAUNCH and VMRESUME return-like ones; MOV to CR3
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
  UD;

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

  /** A near transfer whose target the trace must supply in a TIP (indirect JMP/CALL). */
  public boolean isIndirect() {
    return this == JMP_INDIRECT || this == CALL_INDIRECT;
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
        return LibiptClass.PTIC_FAR_RETURN;
      case PTWRITE:
        return LibiptClass.PTIC_PTWRITE;
      default:
        return LibiptClass.PTIC_OTHER;
    }
  }
}
