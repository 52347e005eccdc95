package iptq.x86;

/**
 * libipt's {@code enum pt_insn_class} (intel-pt.h), in the same order, so {@code ordinal()} is
 * the C value. The flow decoder follows libipt's rules per class: which instructions need a TNT
 * bit, which a TIP, which are far transfers.
 */
public enum LibiptClass {
  PTIC_ERROR,
  PTIC_OTHER,
  PTIC_CALL,
  PTIC_RETURN,
  PTIC_JUMP,
  PTIC_COND_JUMP,
  PTIC_FAR_CALL,
  PTIC_FAR_RETURN,
  PTIC_FAR_JUMP,
  PTIC_PTWRITE
}
