package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-written cases for the encodings real code rarely shows but a decoder must get right:
 * prefix interplay (66/67/F2/F3 with REX), VEX/EVEX/XOP/3DNow! lengths, MPX bnd, notrack,
 * segment overrides on branches, moffs, far pointers, 16-bit wrapping, mode-dependent opcodes.
 * Each case states the expected length/class/target; where capstone 4 agrees (most cases), it is
 * also checked against capstone, and the cases where it does not say why.
 */
class X86DecoderTest {
  private static final Mode M16 = Mode.BITS16;
  private static final Mode M32 = Mode.BITS32;
  private static final Mode M64 = Mode.BITS64;
  private static final long IP = 0x401000L;

  /** An expectation; target -1 = none; capstone false = capstone 4 differs (reason given). */
  record Case(Mode mode, String hex, long ip, int length, InsnClass iclass, long target,
      String capstoneDiffers) {}

  static final List<Case> CASES = new ArrayList<>();

  private static void ok(Mode m, String hex, int len, InsnClass c) {
    CASES.add(new Case(m, hex, IP, len, c, -1, null));
  }

  private static void br(Mode m, String hex, long ip, int len, InsnClass c, long target) {
    CASES.add(new Case(m, hex, ip, len, c, target, null));
  }

  private static void differs(Mode m, String hex, long ip, int len, InsnClass c, long target,
      String why) {
    CASES.add(new Case(m, hex, ip, len, c, target, why));
  }

  /** The cases of instructions newer than capstone 4 and libipt 2.0.5 (FRED, UIRET, APX). */
  static final List<Case> NEWER = new ArrayList<>();

  private static void newer(Mode m, String hex, int len, InsnClass c, long target) {
    Case k = new Case(m, hex, IP, len, c, target, "capstone 4 predates FRED, UIRET and APX");
    CASES.add(k);
    NEWER.add(k);
  }

  static {
    InsnClass o = InsnClass.OTHER;
    // Near returns, calls, jumps, with MPX bnd (F2) and CET notrack (3E) prefixes.
    ok(M64, "c3", 1, InsnClass.RET_NEAR);
    ok(M64, "f2 c3", 2, InsnClass.RET_NEAR);
    ok(M64, "c2 08 00", 3, InsnClass.RET_NEAR);
    ok(M64, "f2 c2 10 00", 4, InsnClass.RET_NEAR);
    br(M64, "f2 e8 00 00 00 00", IP, 6, InsnClass.CALL_DIRECT, IP + 6);
    br(M64, "f2 e9 fb ff ff ff", IP, 6, InsnClass.JMP_DIRECT, IP + 1);
    br(M64, "f2 74 fe", IP, 3, InsnClass.JCC, IP + 1);
    ok(M64, "f2 ff e0", 3, InsnClass.JMP_INDIRECT);
    ok(M64, "f2 ff d0", 3, InsnClass.CALL_INDIRECT);
    ok(M64, "3e ff e0", 3, InsnClass.JMP_INDIRECT);
    ok(M64, "3e ff d0", 3, InsnClass.CALL_INDIRECT);
    ok(M64, "3e 41 ff e3", 4, InsnClass.JMP_INDIRECT);
    ok(M64, "f2 3e ff 24 c5 00 10 00 00", 9, InsnClass.JMP_INDIRECT);
    ok(M64, "3e ff 14 25 00 10 00 00", 8, InsnClass.CALL_INDIRECT);
    ok(M64, "ff 25 10 00 00 00", 6, InsnClass.JMP_INDIRECT); // jmp [rip+0x10]
    ok(M64, "ff 15 10 00 00 00", 6, InsnClass.CALL_INDIRECT);
    ok(M64, "41 ff 54 24 08", 5, InsnClass.CALL_INDIRECT); // call [r12+8]
    // Segment overrides (branch hints) on jumps.
    br(M64, "2e 74 05", IP, 3, InsnClass.JCC, IP + 8);
    br(M64, "3e 0f 84 00 01 00 00", IP, 7, InsnClass.JCC, IP + 7 + 0x100);
    ok(M64, "64 ff 24 25 10 00 00 00", 8, InsnClass.JMP_INDIRECT);
    ok(M64, "65 ff 15 00 00 00 00", 7, InsnClass.CALL_INDIRECT);
    br(M32, "2e 3e 64 eb 00", IP, 5, InsnClass.JMP_DIRECT, IP + 5);
    // 66 on near branches: Intel ignores it in 64-bit mode (rel32, 64-bit target).
    differs(M64, "66 e9 11 22 33 44", IP, 6, InsnClass.JMP_DIRECT, IP + 6 + 0x44332211L,
        "capstone 4 follows AMD: 66 makes it jmp rel16");
    differs(M64, "66 e8 00 00 00 00", IP, 6, InsnClass.CALL_DIRECT, IP + 6,
        "capstone 4 follows AMD: 66 makes it call rel16");
    differs(M64, "66 0f 85 00 00 00 00", IP, 7, InsnClass.JCC, IP + 7,
        "capstone 4 follows AMD: 66 makes it jne rel16");
    // 32-bit mode: 66 gives rel16 and wraps EIP to 16 bits.
    br(M32, "66 e9 34 12", 0x12345678L, 4, InsnClass.JMP_DIRECT, (0x5678 + 4 + 0x1234) & 0xffff);
    br(M32, "e9 00 00 00 80", 0x90000000L, 5, InsnClass.JMP_DIRECT, 0x10000005L);
    differs(M32, "66 74 10", 0x1fff0L, 3, InsnClass.JCC, 0x0003,
        "capstone 4 does not wrap a 16-bit operand-size target to 16 bits");
    br(M32, "e8 fb ff ff ff", 0, 5, InsnClass.CALL_DIRECT, 0);
    br(M32, "eb 80", 0x10L, 2, InsnClass.JMP_DIRECT, 0xffffff92L); // wraps below 0
    // 16-bit mode: rel16, wrapping at 64 KiB; 66 gives rel32.
    br(M16, "eb 20", 0xfff0L, 2, InsnClass.JMP_DIRECT, 0x12);
    br(M16, "e9 00 80", 0x9000L, 3, InsnClass.JMP_DIRECT, 0x1003);
    br(M16, "e8 fd ff", 0x0000L, 3, InsnClass.CALL_DIRECT, 0x0000);
    br(M16, "0f 84 fc ff", 0x2L, 4, InsnClass.JCC, 0x2);
    br(M16, "e2 fe", 0x100L, 2, InsnClass.JCC, 0x100);
    br(M16, "66 e9 00 00 01 00", 0xfff0L, 6, InsnClass.JMP_DIRECT, 0x1fff6L);
    differs(M16, "66 e9 89 fd 2d a2", 0x3472L, 6, InsnClass.JMP_DIRECT, 0xa22e3201L,
        "capstone 4 wraps this 32-bit operand-size target at 64 KiB");
    // Operand size: REX.W beats 66; a REX before a legacy prefix is ignored.
    ok(M64, "66 48 b8 01 02 03 04 05 06 07 08", 11, o);
    ok(M64, "48 b8 01 02 03 04 05 06 07 08", 10, o);
    ok(M64, "66 b8 01 02", 4, o);
    ok(M64, "48 66 b8 01 02", 5, o); // REX not last: 16-bit mov
    ok(M64, "66 c7 00 34 12", 5, o);
    ok(M64, "48 c7 c0 01 00 00 00", 7, o);
    ok(M64, "66 48 c7 c0 01 00 00 00", 8, o);
    ok(M64, "66 68 34 12", 4, o); // push imm16
    ok(M64, "68 34 12 00 00", 5, o);
    ok(M64, "66 6a ff", 3, o);
    ok(M64, "f3 48 a5", 3, o); // rep movsq
    ok(M64, "f2 48 0f 38 f1 c1", 6, o); // crc32 rax, rcx
    ok(M64, "66 f3 0f b8 c1", 5, o); // popcnt ax, cx
    ok(M64, "f0 48 0f b1 0a", 5, o); // lock cmpxchg
    // TEST immediates in groups 3 (F6/F7 /0 and the /1 alias); NOT/NEG/MUL have none.
    ok(M64, "f6 c1 01", 3, o);
    ok(M64, "f6 c9 01", 3, o);
    ok(M64, "f6 d1", 2, o);
    ok(M64, "f7 c1 01 00 00 00", 6, o);
    ok(M64, "66 f7 c1 01 00", 5, o);
    ok(M64, "48 f7 c0 01 00 00 00", 7, o);
    ok(M64, "f7 d9", 2, o);
    ok(M64, "f7 64 24 08", 4, o);
    ok(M32, "66 f7 05 00 10 00 00 ff 00", 9, o);
    // moffs (A0-A3): address size, not operand size.
    ok(M64, "a1 00 10 00 00 00 00 00 00", 9, o);
    ok(M64, "48 a3 00 10 00 00 00 00 00 00", 10, o);
    ok(M64, "67 a1 00 10 00 00", 6, o);
    ok(M64, "66 67 a1 00 10 00 00", 7, o);
    ok(M32, "a1 00 10 00 00", 5, o);
    ok(M32, "67 a0 00 10", 4, o);
    ok(M16, "a0 00 10", 3, o);
    ok(M16, "67 a1 00 10 00 00", 6, o);
    // ENTER, far returns.
    ok(M64, "c8 10 00 01", 4, o);
    ok(M64, "cb", 1, InsnClass.RET_FAR);
    ok(M64, "48 cb", 2, InsnClass.RET_FAR);
    ok(M64, "ca 08 00", 3, InsnClass.RET_FAR);
    // Far jmp/call with a pointer: 16- and 32-bit only.
    ok(M32, "ea 00 10 00 00 08 00", 7, InsnClass.JMP_FAR);
    ok(M32, "9a 00 10 00 00 08 00", 7, InsnClass.CALL_FAR);
    ok(M32, "66 ea 00 10 08 00", 6, InsnClass.JMP_FAR);
    ok(M16, "ea 00 10 08 00", 5, InsnClass.JMP_FAR);
    ok(M16, "66 9a 00 10 00 00 08 00", 8, InsnClass.CALL_FAR);
    ok(M64, "ff 2c 24", 3, InsnClass.JMP_FAR);
    ok(M64, "48 ff 18", 3, InsnClass.CALL_FAR);
    ok(M32, "ff 1d 00 10 00 00", 6, InsnClass.CALL_FAR);
    // 16-bit operands (66): m16:16, and far RET and IRET popping 16-bit values.
    ok(M64, "66 ff 28", 3, InsnClass.JMP_FAR);
    ok(M64, "66 ff 58 08", 4, InsnClass.CALL_FAR);
    ok(M32, "66 ff 28", 3, InsnClass.JMP_FAR);
    ok(M32, "66 9a 34 12 23 00", 6, InsnClass.CALL_FAR);
    ok(M64, "66 cb", 2, InsnClass.RET_FAR);
    ok(M64, "66 ca 04 00", 4, InsnClass.RET_FAR);
    ok(M32, "66 ca 04 00", 4, InsnClass.RET_FAR);
    ok(M64, "66 cf", 2, InsnClass.IRET);
    ok(M32, "66 cf", 2, InsnClass.IRET);
    // System transfers, interrupts, VMX, PTWRITE, MOV CR3.
    ok(M64, "0f 05", 2, InsnClass.SYSCALL);
    ok(M64, "48 0f 07", 3, InsnClass.SYSRET);
    ok(M32, "0f 34", 2, InsnClass.SYSENTER);
    ok(M64, "0f 34", 2, InsnClass.SYSENTER);
    ok(M64, "48 0f 35", 3, InsnClass.SYSEXIT);
    ok(M64, "0f 35", 2, InsnClass.SYSEXIT);
    ok(M32, "0f 35", 2, InsnClass.SYSEXIT);
    ok(M64, "cd 2e", 2, InsnClass.INT);
    ok(M64, "cc", 1, InsnClass.INT3);
    ok(M32, "ce", 1, InsnClass.INTO);
    ok(M64, "f1", 1, InsnClass.INT1);
    ok(M32, "f1", 1, InsnClass.INT1);
    ok(M64, "48 cf", 2, InsnClass.IRET);
    ok(M16, "cf", 1, InsnClass.IRET);
    ok(M64, "0f 01 c1", 3, InsnClass.VMCALL);
    ok(M64, "0f 01 c2", 3, InsnClass.VMLAUNCH);
    ok(M64, "0f 01 c3", 3, InsnClass.VMRESUME);
    ok(M64, "0f c7 30", 3, InsnClass.VMPTRLD);
    ok(M64, "66 0f c7 30", 4, o); // vmclear
    ok(M64, "f3 0f c7 30", 4, o); // vmxon
    differs(M64, "f3 0f ae e0", IP, 4, InsnClass.PTWRITE, -1, "capstone 4 predates PTWRITE");
    differs(M64, "f3 48 0f ae 60 08", IP, 6, InsnClass.PTWRITE, -1, "capstone 4 predates PTWRITE");
    ok(M64, "0f ae 38", 3, o); // clflush
    ok(M64, "0f 22 d8", 3, InsnClass.MOV_CR3);
    ok(M32, "0f 22 df", 3, InsnClass.MOV_CR3);
    ok(M64, "0f 20 d8", 3, o); // mov rax, cr3
    ok(M64, "0f 22 c0", 3, o); // mov cr0, rax
    ok(M64, "0f 23 c0", 3, o); // mov dr0, rax: no disp although mod != 3 would want one...
    // JrCXZ and LOOPcc are conditional (one TNT bit).
    br(M64, "e3 fe", IP, 2, InsnClass.JCC, IP);
    br(M64, "67 e3 fe", IP, 3, InsnClass.JCC, IP + 1);
    br(M64, "e2 fe", IP, 2, InsnClass.JCC, IP);
    br(M64, "e1 00", IP, 2, InsnClass.JCC, IP + 2);
    br(M64, "e0 00", IP, 2, InsnClass.JCC, IP + 2);
    // VEX (C5/C4), in 64- and 32-bit mode; LES/LDS when the next byte's mod is not 11.
    ok(M64, "c5 f8 77", 3, o);
    ok(M64, "c5 fc 77", 3, o);
    ok(M64, "c5 fc 28 c1", 4, o);
    ok(M64, "c5 f9 70 c1 1b", 5, o);
    ok(M64, "c5 f9 c6 c1 01", 5, o);
    ok(M64, "c4 e3 7d 18 c1 01", 6, o);
    ok(M64, "c4 e2 7d 18 00", 5, o);
    ok(M64, "c4 e1 f9 7e c0", 5, o);
    ok(M64, "c4 c1 7e 6f 84 24 00 01 00 00", 10, o);
    ok(M64, "c4 e2 f9 f7 c1", 5, o); // shlx (BMI2, VEX map 2, no imm)
    ok(M64, "c4 e3 fb f0 c1 05", 6, o); // rorx (VEX map 3, imm8)
    ok(M32, "c5 f8 77", 3, o);
    ok(M32, "c4 e3 7d 18 c1 01", 6, o);
    ok(M32, "c4 00", 2, o); // les eax, [eax]
    ok(M32, "c5 40 04", 3, o); // lds eax, [eax+4]
    ok(M16, "c4 06 00 10", 4, o); // les ax, [0x1000]
    // EVEX: 4-byte prefix; disp8*N is still one byte; BOUND in 32-bit mode.
    ok(M64, "62 f1 7c 48 28 c1", 6, o);
    ok(M64, "62 f1 7c 48 28 40 01", 7, o);
    ok(M64, "62 f1 fd 48 6f 84 24 00 01 00 00", 11, o);
    ok(M64, "62 f3 7d 48 19 c1 01", 7, o); // vextractf32x4
    ok(M64, "62 f1 7d 48 72 e1 05", 7, o); // vpsrad zmm0, zmm1, 5 (map 1 imm8)
    ok(M64, "62 f2 7d 48 58 00", 6, o); // vpbroadcastd zmm0, [rax] (map 2)
    ok(M32, "62 f1 7c 48 28 c1", 6, o);
    ok(M32, "62 00", 2, o); // bound eax, [eax]
    ok(M32, "62 40 10", 3, o);
    ok(M16, "62 06 00 10", 4, o);
    // XOP (AMD): 8F with a map >= 8; POP r/m otherwise.
    ok(M64, "8f e8 78 c2 c1 05", 6, o); // vprotb xmm0, xmm1, 5 (map 8, imm8)
    ok(M64, "8f e9 78 81 c1", 5, o); // vfrczps (map 9)
    ok(M64, "8f ea 78 10 c0 01 00 00 00", 9, o); // bextr eax, eax, imm32 (map 0Ah)
    ok(M64, "8f c0", 2, o); // pop rax
    ok(M32, "8f 05 00 10 00 00", 6, o);
    // 3DNow!: ModRM, then the opcode as an imm8.
    ok(M64, "0f 0f c1 b4", 4, o);
    ok(M64, "0f 0f 40 10 9e", 5, o);
    // 0F38 / 0F3A maps; SSE4a EXTRQ/INSERTQ vs VMREAD (0F 78).
    ok(M64, "66 0f 38 00 c1", 5, o);
    ok(M64, "66 0f 3a 0f c1 08", 6, o);
    ok(M64, "66 0f 3a 22 c0 01", 6, o);
    ok(M64, "66 48 0f 3a 16 c0 01", 7, o);
    ok(M64, "66 0f 78 c0 04 08", 6, o);
    ok(M64, "f2 0f 78 c1 04 08", 6, o);
    ok(M64, "0f 78 c0", 3, o);
    ok(M64, "0f 71 d0 04", 4, o);
    ok(M64, "0f c2 c1 00", 4, o);
    ok(M64, "0f ba e0 03", 4, o);
    ok(M64, "0f a4 c0 03", 4, o);
    // 32-bit: 40-4F are INC/DEC, not REX.
    ok(M32, "40", 1, o);
    ok(M32, "48", 1, o);
    ok(M64, "48 89 c0", 3, o);
    // 16-bit and 32-bit ModRM addressing; 67 switches between them.
    ok(M16, "8b 46 02", 3, o);
    ok(M16, "8b 06 34 12", 4, o);
    ok(M16, "8b 87 34 12", 4, o);
    ok(M16, "67 8b 04 24", 4, o);
    ok(M16, "67 8b 44 24 08", 5, o);
    ok(M16, "67 8b 05 00 10 00 00", 7, o);
    ok(M32, "67 8b 06 34 12", 5, o);
    ok(M32, "8b 04 25 00 10 00 00", 7, o);
    ok(M64, "8b 05 00 10 00 00", 6, o);
    ok(M64, "8b 04 25 00 10 00 00", 7, o);
    ok(M64, "8b 44 24 08", 4, o);
    ok(M64, "8b 84 24 00 01 00 00", 7, o);
    ok(M64, "8b 04 2d 00 10 00 00", 7, o); // SIB base=5, mod=0: disp32, no base
    ok(M64, "8b 44 2d 08", 4, o); // SIB base=5, mod=1: rbp + disp8
    ok(M64, "67 8b 05 00 10 00 00", 7, o);
    // RTM: XBEGIN rel16/32 (sized like C7 /0's immediate), XABORT imm8.
    ok(M64, "c7 f8 00 00 00 00", 6, o);
    ok(M64, "c6 f8 05", 3, o);
    // UD2; UD1 and UD0 with ModRM as Intel defines them.
    ok(M64, "0f 0b", 2, InsnClass.UD);
    differs(M64, "0f b9 c0", IP, 3, InsnClass.UD, -1, "capstone 4: ud2b without ModRM");
    differs(M64, "0f ff c0", IP, 3, InsnClass.UD, -1, "capstone 4: ud0 without ModRM");
    // libipt 2.2's newer instructions (capstone 4 and libipt 2.0.5 predate them; X86LibiptTest
    // checks these against libipt 2.2). FRED: ERETU (F3) and ERETS (F2) on 0F 01 CA, the last
    // of F2/F3 deciding; without either it is CLAC. UIRET 0F 01 EC.
    newer(M64, "f3 0f 01 ca", 4, InsnClass.ERETU, -1);
    newer(M64, "f2 0f 01 ca", 4, InsnClass.ERETS, -1);
    newer(M64, "f2 f3 0f 01 ca", 5, InsnClass.ERETU, -1);
    newer(M64, "f3 f2 0f 01 ca", 5, InsnClass.ERETS, -1);
    newer(M32, "f3 0f 01 ca", 4, InsnClass.ERETU, -1);
    newer(M64, "0f 01 ec", 3, InsnClass.UIRET, -1);
    newer(M32, "0f 01 ec", 3, InsnClass.UIRET, -1);
    ok(M64, "0f 01 ca", 3, o); // CLAC
    // APX REX2 (D5 + payload; bit 7 selects map 0 or 1, no 0F escape): lengths as without it,
    // W widens MOV's immediate; JMPABS (map 0 A1, W0) with its 64-bit absolute target.
    newer(M64, "d5 00 a1 00 10 20 00 00 00 00 00", 11, InsnClass.JMPABS, 0x201000L);
    newer(M64, "d5 00 a1 f0 de bc 9a 78 56 34 12", 11, InsnClass.JMPABS, 0x123456789abcdef0L);
    newer(M64, "3e d5 00 a1 00 10 20 00 00 00 00 00", 12, InsnClass.JMPABS, 0x201000L);
    newer(M64, "d5 08 a1 00 10 20 00 00 00 00 00", 11, o, -1); // W1: not JMPABS
    newer(M64, "66 d5 00 a1 00 10 20 00 00 00 00 00", 12, o, -1); // 66: not JMPABS
    newer(M64, "d5 08 01 c0", 4, o, -1); // add rax, rax
    newer(M64, "d5 44 89 c8", 4, o, -1); // mov r16, r25
    newer(M64, "d5 18 b8 01 00 00 00 00 00 00 00", 11, o, -1); // mov r24, imm64
    newer(M64, "d5 10 b8 01 00 00 00", 7, o, -1); // mov r24d, imm32
    newer(M64, "d5 80 af c0", 4, o, -1); // map 1: imul eax, eax
    newer(M64, "d5 11 ff e0", 4, InsnClass.JMP_INDIRECT, -1); // jmp r24
    newer(M64, "d5 11 ff d0", 4, InsnClass.CALL_INDIRECT, -1); // call r24
    newer(M64, "d5 00 ff 25 00 10 00 00", 8, InsnClass.JMP_INDIRECT, -1);
    newer(M64, "d5 00 c3", 3, InsnClass.RET_NEAR, -1);
    // The relative branches are not defined with REX2: libipt 2.2 sizes them, no branch.
    newer(M64, "d5 00 74 02", 4, o, -1);
    newer(M64, "d5 00 eb 02", 4, o, -1);
    newer(M64, "d5 00 e8 00 00 00 00", 7, o, -1);
    newer(M64, "d5 00 e9 00 00 00 00", 7, o, -1);
    newer(M64, "d5 00 e2 fe", 4, o, -1);
    newer(M64, "d5 80 85 00 00 00 00", 7, o, -1);
    newer(M64, "d5 80 05", 3, InsnClass.SYSCALL, -1);
    newer(M64, "f3 d5 80 01 ca", 5, InsnClass.ERETU, -1);
    // Longest legal instruction: 15 bytes.
    ok(M64, "66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00", 15, o);
    ok(M64, "64 67 66 81 84 88 00 10 00 00 01 00", 12, o);
  }

  @Test
  void handWrittenCasesDecodeAsSpecified() {
    Insn insn = new Insn();
    List<String> failures = new ArrayList<>();
    for (Case c : CASES) {
      byte[] b = bytes(c.hex);
      byte[] padded = new byte[b.length + 16];
      System.arraycopy(b, 0, padded, 0, b.length);
      // Exact length available, and extra bytes after it: the same answer.
      for (int avail : new int[] {b.length, padded.length}) {
        boolean ok = X86Decoder.decode(padded, 0, avail, c.ip, c.mode, insn);
        String got = ok ? insn.length + " " + insn.iclass
            + (hasTarget(insn.iclass) ? " 0x" + Long.toHexString(insn.target) : "")
            : "fails " + Insn.errorName(insn.error);
        String want = c.length + " " + c.iclass
            + (hasTarget(c.iclass) ? " 0x" + Long.toHexString(c.target) : "");
        if (!got.equals(want)) {
          failures.add(c.mode + " [" + c.hex + "]: got " + got + ", want " + want);
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void capstoneAgreesWithTheCasesItKnows() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Case c : CASES) {
      byte[] b = bytes(c.hex);
      try (CapstoneBatch cs = new CapstoneBatch(c.mode)) {
        cs.load(b, 0, b.length);
        int n = cs.disasm(0, b.length, c.ip);
        String got = n == 0 ? "nothing"
            : cs.size(0) + " " + CapstoneClasses.of(cs.id(0), cs.mnemonic(0), cs.opStr(0))
                + (CapstoneClasses.isImmediate(cs.opStr(0))
                    && CapstoneClasses.of(cs.id(0), cs.mnemonic(0), cs.opStr(0)).isDirect()
                    ? " 0x" + Long.toHexString(CapstoneClasses.target(cs.opStr(0))) : "");
        String want = c.length + " " + c.iclass
            + (c.iclass.isDirect() ? " 0x" + Long.toHexString(c.target) : "");
        boolean agrees = got.equals(want);
        if (c.capstoneDiffers == null && !agrees) {
          failures.add(c.mode + " [" + c.hex + "]: capstone " + got + " ("
              + (n == 0 ? "" : cs.mnemonic(0) + " " + cs.opStr(0)) + "), iptq " + want);
        } else if (c.capstoneDiffers != null && agrees) {
          failures.add(c.mode + " [" + c.hex + "]: said to differ (" + c.capstoneDiffers
              + ") but capstone agrees");
        }
        checked++;
      }
    }
    assertTrue(checked > 150, "cases: " + checked);
    assertEquals(List.of(), failures);
  }

  @Test
  void invalidAndTruncatedInputIsRefused() {
    Insn insn = new Insn();
    // Opcodes 64-bit mode removed.
    for (String hex : new String[] {"06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37",
        "3f", "60", "61", "82 c0 01", "9a 00 10 00 00 08 00", "ce", "d4 0a", "d6",
        "ea 00 10 00 00 08 00"}) {
      byte[] b = bytes(hex);
      assertFalse(X86Decoder.decode(b, 0, b.length, IP, M64, insn), hex);
      assertEquals(Insn.INVALID, insn.error, hex);
      assertTrue(X86Decoder.decode(b, 0, b.length, IP, M32, insn), hex + " in 32-bit mode");
    }
    // Register forms of far JMP/CALL, undefined groups, VEX after a legacy prefix, bad maps.
    for (String hex : new String[] {"ff d8", "ff e8", "ff f8", "fe d0", "8f e0", "c6 c8 01",
        "66 c5 f8 77", "f3 c5 f8 77", "48 c5 f8 77", "c4 e0 7d 18 c1", "c4 e4 7d 18 c1",
        "62 f4 7c 48 28 c1", "62 f1 7c 40 28 c1".replace("7c 40", "78 48"), "8f eb 78 10 c0",
        "0f 04", "0f 0a", "0f 0c", "0f 24 c0", "0f 36", "0f 39", "0f 3b", "0f a6 c0"}) {
      byte[] b = bytes(hex);
      assertFalse(X86Decoder.decode(b, 0, b.length, IP, M64, insn), hex);
      assertEquals(Insn.INVALID, insn.error, hex);
    }
    // D5 is AAD outside 64-bit mode, REX2 in it (an escape or prefix after REX2 is undefined).
    byte[] aad = bytes("d5 0a");
    assertTrue(X86Decoder.decode(aad, 0, aad.length, IP, M32, insn));
    assertEquals(2, insn.length);
    for (String hex : new String[] {"d5 00 0f 05", "d5 00 66 90", "d5 00 48 90", "d5 00 d5 00 90", "d5 00 f3 90"}) {
      byte[] b = bytes(hex);
      assertFalse(X86Decoder.decode(b, 0, b.length, IP, M64, insn), hex);
      assertEquals(Insn.INVALID, insn.error, hex);
    }
    // Truncated: more bytes would decode it.
    for (String hex : new String[] {"", "e8 00 00", "0f", "66", "48", "c4 e3 7d", "62 f1 7c 48",
        "8b 04", "8b 84 24 00", "a1 00 10 00 00", "f7 c1 01 00 00", "c8 10 00", "d5", "d5 0a",
        "d5 00 a1 00 10 20 00 00 00 00"}) {
      byte[] b = bytes(hex);
      byte[] room = new byte[b.length + 16];
      System.arraycopy(b, 0, room, 0, b.length);
      assertFalse(X86Decoder.decode(room, 0, b.length, IP, M64, insn), hex);
      assertEquals(Insn.TRUNCATED, insn.error, hex);
    }
    // Over 15 bytes: no number of further bytes helps.
    byte[] prefixes = bytes("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
    assertFalse(X86Decoder.decode(prefixes, 0, prefixes.length, IP, M64, insn));
    assertEquals(Insn.TOO_LONG, insn.error);
    byte[] longImm = bytes("66 66 66 66 66 66 66 66 66 48 81 84 88 00 10 00 00 01 00 00 00");
    assertFalse(X86Decoder.decode(longImm, 0, longImm.length, IP, M64, insn));
    assertEquals(Insn.TOO_LONG, insn.error);
    // avail beyond the array: only the array's bytes count.
    byte[] call = bytes("e8 00 00");
    assertFalse(X86Decoder.decode(call, 0, 100, IP, M64, insn));
    assertEquals(Insn.TRUNCATED, insn.error);
    // Decoding at an offset inside a larger buffer reads only from there.
    byte[] buf = bytes("90 90 e8 00 00 00 00 c3");
    assertTrue(X86Decoder.decode(buf, 2, 6, 0x1000, M64, insn));
    assertEquals(5, insn.length);
    assertEquals(0x1005, insn.target);
  }

  @Test
  void libiptClassesFollowIntelPtH() {
    assertEquals(LibiptClass.PTIC_FAR_CALL, InsnClass.SYSCALL.libiptClass());
    assertEquals(LibiptClass.PTIC_FAR_RETURN, InsnClass.SYSRET.libiptClass());
    assertEquals(LibiptClass.PTIC_FAR_CALL, InsnClass.INT3.libiptClass());
    assertEquals(LibiptClass.PTIC_FAR_RETURN, InsnClass.VMLAUNCH.libiptClass());
    assertEquals(LibiptClass.PTIC_FAR_CALL, InsnClass.VMCALL.libiptClass());
    assertEquals(LibiptClass.PTIC_COND_JUMP, InsnClass.JCC.libiptClass());
    assertEquals(LibiptClass.PTIC_OTHER, InsnClass.MOV_CR3.libiptClass());
    assertEquals(LibiptClass.PTIC_PTWRITE, InsnClass.PTWRITE.libiptClass());
    assertEquals(9, LibiptClass.PTIC_PTWRITE.ordinal()); // enum pt_insn_class order
    for (InsnClass c : InsnClass.values()) {
      assertEquals(c.isFarTransfer(), c.libiptClass().name().startsWith("PTIC_FAR"), c.name());
      if (c.isDirect() || c.isIndirect() || c.isFarTransfer() || c == InsnClass.RET_NEAR) {
        assertTrue(c.isBranch(), c.name());
      }
    }
    assertEquals(Mode.BITS64, Mode.of(true, false));
    assertEquals(Mode.BITS32, Mode.of(false, true));
    assertEquals(Mode.BITS16, Mode.of(false, false));
    assertEquals(null, Mode.of(true, true));
  }

  /** Classes whose {@link Insn#target} is set: direct branches and JMPABS's absolute address. */
  static boolean hasTarget(InsnClass c) {
    return c.isDirect() || c == InsnClass.JMPABS;
  }

  static byte[] bytes(String hex) {
    String h = hex.replace(" ", "");
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
