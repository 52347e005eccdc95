package iptq.cli;

import iptq.flow.FlowDecoder;
import iptq.flow.PtxedListing;
import iptq.image.CodeImage;
import iptq.x86.Disassembler;
import iptq.x86.Insn;
import iptq.x86.LibiptClass;
import iptq.x86.X86Decoder;
import java.util.Set;

/**
 * {@code iptq insns --check}, as ptxed's {@code --check}: every instruction the walk went through
 * decoded a second time by an independent decoder, and a check error where the two disagree.
 * ptxed's second decoder is XED; iptq's is capstone (whose disassembly the listing shows), so
 * the check lines name capstone's findings: that it cannot decode the bytes, another size, or
 * another kind of branch. It costs a capstone call per new address (ptxed calls it expensive).
 */
final class InsnCheck implements PtxedListing.Check {
  private static final Set<String> PREFIXES = Set.of("bnd", "notrack", "rep", "repe", "repne", "repz", "repnz", "lock",
      "data16", "addr32", "xacquire", "xrelease");

  private final CodeImage image;
  private final Disassembler dis;
  private final FlowDecoder[] decoder;
  private final byte[] code = new byte[X86Decoder.MAX_LENGTH];
  private final Insn insn = new Insn();

  InsnCheck(CodeImage image, Disassembler dis, FlowDecoder[] decoder) {
    this.image = image;
    this.dis = dis;
    this.decoder = decoder;
  }

  @Override
  public String check(long ip, int size) {
    FlowDecoder d = decoder[0];
    int n = image.read(d.asid(), ip, code, 0, code.length);
    if (n <= 0) return "no code at the address";
    int len = dis.length(ip, code, 0, n, d.mode());
    if (len == 0) return "capstone cannot decode it";
    if (len != size) return "size " + size + ", capstone size " + len;
    if (!X86Decoder.decode(code, 0, n, ip, d.mode(), insn)) return "iptq's decoder cannot decode it";
    LibiptClass mine = insn.iclass.libiptClass();
    String text = dis.text(ip, code, 0, n, d.mode());
    LibiptClass theirs = classOf(text);
    if (theirs == mine) return null;
    return "iclass: " + words(mine) + ", capstone: " + text;
  }

  /** libipt's class of an instruction as capstone's Intel-syntax text names it. */
  static LibiptClass classOf(String text) {
    String m = "";
    for (String w : text.split(" ")) {
      if (!PREFIXES.contains(w)) {
        m = w;
        break;
      }
    }
    switch (m) {
      case "jmp":
        return text.contains(" ptr ") && text.startsWith("ljmp") ? LibiptClass.PTIC_FAR_JUMP : LibiptClass.PTIC_JUMP;
      case "ljmp":
        return LibiptClass.PTIC_FAR_JUMP;
      case "call":
        return LibiptClass.PTIC_CALL;
      case "lcall":
      case "int":
      case "int1":
      case "int3":
      case "into":
      case "syscall":
      case "sysenter":
      case "vmcall":
        return LibiptClass.PTIC_FAR_CALL;
      case "ret":
        return LibiptClass.PTIC_RETURN;
      case "retf":
      case "retfq":
      case "lret":
      case "vmlaunch":
      case "vmresume":
        return LibiptClass.PTIC_FAR_RETURN;
      default:
        if (m.startsWith("iret") || m.startsWith("sysret") || m.startsWith("sysexit")) return LibiptClass.PTIC_FAR_RETURN;
        if (m.startsWith("loop") || m.startsWith("j")) return LibiptClass.PTIC_COND_JUMP;
        return LibiptClass.PTIC_OTHER;
    }
  }

  /** libipt's words for a class (ptxed's check lines). */
  static String words(LibiptClass c) {
    return switch (c) {
      case PTIC_OTHER -> "other";
      case PTIC_CALL -> "near call";
      case PTIC_RETURN -> "near return";
      case PTIC_JUMP -> "near jump";
      case PTIC_COND_JUMP -> "cond jump";
      case PTIC_FAR_CALL -> "far call";
      case PTIC_FAR_RETURN -> "far return";
      case PTIC_FAR_JUMP -> "far jump";
      case PTIC_PTWRITE -> "ptwrite";
      case PTIC_ERROR -> "error";
    };
  }
}
