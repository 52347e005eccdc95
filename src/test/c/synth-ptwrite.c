/*
 * Freestanding C (no headers) with PTWRITE instrumentation, for the flow synthesizer's extended
 * corpus (Corpora.extended): compiled by clang for 64-bit and, with x86-sample.c, for 32-bit code
 * (-m32), linked as shared objects with lld. Real code rarely contains PTWRITE, so these
 * helpers give TraceSynthesizer real PTWRITE instructions (32- and 64-bit operands, register and
 * memory forms, inside loops and beside branches) to emit PTW packets for, and a CR3 write for
 * PIP to bind to (a kernel instruction, but decoders do not care); the 32-bit build also
 * gives it code of another execution mode for mode switches.
 */
typedef unsigned int u32;
typedef unsigned long long u64;

#define HOOK __attribute__((noinline, visibility("default")))

HOOK void trace_u32(u32 v) { __builtin_ia32_ptwrite32(v); }

HOOK void trace_mem(const u32 *p) { __builtin_ia32_ptwrite32(*p); }

HOOK u32 trace_pair(u32 a, u32 b) {
  __builtin_ia32_ptwrite32(a);
  if (a > b) __builtin_ia32_ptwrite32(b);
  return a ^ b;
}

HOOK u32 trace_loop(const unsigned char *p, u32 n) {
  u32 h = 0;
  for (u32 i = 0; i < n; i++) {
    h = h * 31 + p[i];
    if ((h & 7) == 0) __builtin_ia32_ptwrite32(h);
  }
  __builtin_ia32_ptwrite32(n);
  return h;
}

/* A CR3 write, as an OS's context switch has it: PIP binds to it. */
HOOK void switch_cr3(unsigned long cr3) { __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory"); }

#ifdef __x86_64__
HOOK void trace_u64(u64 v) { __builtin_ia32_ptwrite64(v); }

HOOK u64 trace_sum(const u64 *p, u32 n) {
  u64 s = 0;
  for (u32 i = 0; i < n; i++) s += p[i];
  __builtin_ia32_ptwrite64(s);
  return s;
}
#endif
