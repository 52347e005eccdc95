/*
 * Instructions newer than libipt 2.0.5 for the flow synthesizer (Corpora.newer): FRED's event
 * returns ERETU and ERETS, UIRET, and APX code (REX2-prefixed instructions, JMPABS), built by
 * clang as 64-bit code (all of them are 64-bit only) and linked as a shared object with lld. Real
 * code has none of them yet and clang 14 has no mnemonics for them, so they are written as bytes
 * (the encodings of the Intel SDM and the APX architecture specification). They are never run,
 * only decoded: naked functions (no prologue), each with an ordinary instruction in front.
 */
#define HELPER __attribute__((naked, noinline, visibility("default")))

/* FRED: ERETU is F3 0F 01 CA, ERETS F2 0F 01 CA; far returns, their targets in a TIP. */
HELPER void fred_eretu(void) { __asm__("mov %rdi, %rax\n\t.byte 0xf3, 0x0f, 0x01, 0xca"); }
HELPER void fred_erets(void) { __asm__("mov %rdi, %rax\n\t.byte 0xf2, 0x0f, 0x01, 0xca"); }
/* UIRET (0F 01 EC): the return from a user-interrupt handler; a far return too. */
HELPER void user_iret(void) { __asm__("mov %rdi, %rax\n\t.byte 0x0f, 0x01, 0xec"); }

/*
 * APX REX2 (D5, then a payload byte: M0 W R4 X4 B4 R3 X3 B3 from bit 7 down, M0 selecting map 0
 * or map 1) on ordinary instructions: add rax, rax (W); mov r24d, r17d (map 0 89 /r with R4
 * and B4); mov r24, imm64 (W with B4: an eight-byte immediate); imul eax, eax (map 1 AF /r).
 */
HELPER void apx_ops(void) {
  __asm__(".byte 0xd5, 0x08, 0x01, 0xc0\n\t"
          ".byte 0xd5, 0x51, 0x89, 0xc8\n\t"
          ".byte 0xd5, 0x18, 0xb8\n\t.quad 0x1122334455667788\n\t"
          ".byte 0xd5, 0x80, 0xaf, 0xc0\n\t"
          "ret");
}
/* JMPABS (REX2 with M0 = 0 and W = 0, A1, a 64-bit absolute address); libipt 2.2 takes its target from a TIP. */
HELPER void apx_jmpabs(void) { __asm__("mov %rdi, %rax\n\t.byte 0xd5, 0x00, 0xa1\n\t.quad 0x7f3a12345678"); }
/* jmp r24 and call r24 (FF /4 and FF /2 with REX2.B4): indirect branches as without REX2. */
HELPER void apx_jmp_r24(void) { __asm__("mov %rdi, %rax\n\t.byte 0xd5, 0x11, 0xff, 0xe0"); }
HELPER void apx_call_r24(void) { __asm__("mov %rdi, %rax\n\t.byte 0xd5, 0x11, 0xff, 0xd0\n\tret"); }
