/*
 * Far transfers for the flow synthesizer (Corpora.farTransfers): freestanding code built by
 * clang as 64-bit and as 32-bit code (-m32), linked as shared objects with lld. Real code has
 * hardly any far transfer but SYSCALL, so these helpers give TraceSynthesizer real far JMP,
 * far CALL, far RET, IRET, SYSRET, SYSENTER, SYSEXIT and software interrupts to emit trace for.
 * They are never run, only decoded: each is a naked function (no prologue, so the transfer is
 * what the walk reaches) with an ordinary instruction or two in front for the walk to step over
 * first. One helper per encoding, so that the operand size the decoder must get right (m16:16,
 * m16:32 or m16:64, ptr16:16 or ptr16:32, with or without an immediate) is in the name.
 */
#define HELPER __attribute__((naked, noinline, visibility("default")))

#ifdef __x86_64__
/* FF /5 and FF /3 take m16:32 without REX.W and m16:64 with it. */
HELPER void far_jmp_m32(void) { __asm__("mov %rdi, %rax\n\tljmpl *(%rax)"); }
HELPER void far_jmp_m64(void) { __asm__("mov %rdi, %rax\n\tljmpq *(%rax)"); }
HELPER void far_call_m32(void) { __asm__("mov %rdi, %rax\n\tlcalll *8(%rax)"); }
HELPER void far_call_m64(void) { __asm__("mov %rdi, %rax\n\tlcallq *8(%rax)"); }
/* CB/CA pop a 32-bit offset without REX.W and a 64-bit one with it; CA also frees stack bytes. */
HELPER void far_ret(void) { __asm__("test %edi, %edi\n\tlretl"); }
HELPER void far_ret_imm(void) { __asm__("test %edi, %edi\n\tlretl $8"); }
HELPER void far_ret_q(void) { __asm__("test %edi, %edi\n\tlretq"); }
HELPER void far_ret_q_imm(void) { __asm__("test %edi, %edi\n\tlretq $16"); }
HELPER void iret_q(void) { __asm__("test %edi, %edi\n\tiretq"); }
HELPER void iret_l(void) { __asm__("test %edi, %edi\n\tiretl"); }
/* SYSRET returns to 64-bit code with REX.W and to 32-bit code without. */
HELPER void sysret_q(void) { __asm__("mov %rdi, %rcx\n\tsysretq"); }
HELPER void sysret_l(void) { __asm__("mov %rdi, %rcx\n\tsysretl"); }
HELPER void int_n(void) { __asm__("mov %edi, %eax\n\tint $0x80"); }
HELPER void int_3(void) { __asm__("mov %edi, %eax\n\tint3"); }
/* 66 makes the far pointer m16:16, and far RET and IRET pop 16-bit values. */
HELPER void far_jmp_m16(void) { __asm__("mov %rdi, %rax\n\tljmpw *(%rax)"); }
HELPER void far_call_m16(void) { __asm__("mov %rdi, %rax\n\tlcallw *8(%rax)"); }
HELPER void far_ret_w(void) { __asm__("test %edi, %edi\n\tlretw"); }
HELPER void far_ret_w_imm(void) { __asm__("test %edi, %edi\n\tlretw $4"); }
HELPER void iret_w(void) { __asm__("test %edi, %edi\n\tiretw"); }
/* Intel runs SYSENTER in 64-bit mode too; SYSEXIT returns to 64-bit code with REX.W and to
 * 32-bit code without. */
HELPER void sys_enter(void) { __asm__("mov %edi, %eax\n\tsysenter"); }
HELPER void sysexit_l(void) { __asm__("mov %rdi, %rdx\n\tsysexitl"); }
HELPER void sysexit_q(void) { __asm__("mov %rdi, %rdx\n\tsysexitq"); }
/* INT1 (ICEBP), for which clang 14's assembler has no mnemonic. */
HELPER void int_1(void) { __asm__("mov %edi, %eax\n\t.byte 0xf1"); }
#else
/* SYSRET is 64-bit only (#UD elsewhere on Intel); INTO is 32-bit only. */
HELPER void far_jmp_m32(void) { __asm__("mov 4(%esp), %eax\n\tljmpl *(%eax)"); }
HELPER void far_call_m32(void) { __asm__("mov 4(%esp), %eax\n\tlcalll *8(%eax)"); }
HELPER void far_ret(void) { __asm__("test %eax, %eax\n\tlretl"); }
HELPER void far_ret_imm(void) { __asm__("test %eax, %eax\n\tlretl $8"); }
HELPER void iret_l(void) { __asm__("test %eax, %eax\n\tiretl"); }
HELPER void int_n(void) { __asm__("mov 4(%esp), %eax\n\tint $0x80"); }
HELPER void int_3(void) { __asm__("mov 4(%esp), %eax\n\tint3"); }
/* INTO traps only with OF set, which the add makes sure of: the walk takes every INTO. */
HELPER void int_o(void) { __asm__("mov $0x7fffffff, %eax\n\tadd $1, %eax\n\tinto"); }
/* Direct far JMP/CALL (EA, 9A: #UD in 64-bit code). The pointer is never followed: CS's base
 * can be anything, so the trace gives the target in a TIP, as for the other far transfers. */
HELPER void far_jmp_ptr32(void) { __asm__("mov 4(%esp), %eax\n\tljmp $0x23, $0x12345678"); }
HELPER void far_call_ptr32(void) { __asm__("mov 4(%esp), %eax\n\tlcall $0x23, $0x12345678"); }
/* 66 makes the pointer ptr16:16 or m16:16, and far RET and IRET pop 16-bit values. */
HELPER void far_jmp_ptr16(void) { __asm__("mov 4(%esp), %eax\n\tljmpw $0x23, $0x1234"); }
HELPER void far_call_ptr16(void) { __asm__("mov 4(%esp), %eax\n\tlcallw $0x23, $0x1234"); }
HELPER void far_jmp_m16(void) { __asm__("mov 4(%esp), %eax\n\tljmpw *(%eax)"); }
HELPER void far_call_m16(void) { __asm__("mov 4(%esp), %eax\n\tlcallw *8(%eax)"); }
HELPER void far_ret_w(void) { __asm__("test %eax, %eax\n\tlretw"); }
HELPER void far_ret_w_imm(void) { __asm__("test %eax, %eax\n\tlretw $4"); }
HELPER void iret_w(void) { __asm__("test %eax, %eax\n\tiretw"); }
HELPER void sys_enter(void) { __asm__("mov 4(%esp), %eax\n\tsysenter"); }
HELPER void sys_exit(void) { __asm__("mov 4(%esp), %edx\n\tsysexit"); }
/* INT1 (ICEBP), for which clang 14's assembler has no mnemonic. */
HELPER void int_1(void) { __asm__("mov 4(%esp), %eax\n\t.byte 0xf1"); }
#endif
