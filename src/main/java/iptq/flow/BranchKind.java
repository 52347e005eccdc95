package iptq.flow;

/** The {@code branches.kind} values. */
public enum BranchKind {
  JCC("jcc"),
  JMP("jmp"),
  JMP_INDIRECT("jmp.ind"),
  CALL("call"),
  CALL_INDIRECT("call.ind"),
  RET("ret"),
  RET_COMPRESSED("ret.compressed"),
  /** SYSCALL, SYSRET, SYSENTER, SYSEXIT, INT n, INT3, INTO, INT1, IRET, far JMP/CALL/RET, VM entries. */
  FAR("far"),
  /** An interrupt or exception: from the FUP's IP to the TIP's. */
  ASYNC("async"),
  /** Tracing stopped at this branch (TIP.PGD). */
  DISABLE("disable");

  private final String label;

  BranchKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
