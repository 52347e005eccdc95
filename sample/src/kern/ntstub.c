/* ntstub.sys: a tiny stand-in for ntoskrnl. It exports the few kernel routines the sample
 * driver imports, so that the driver's calls to them are import calls (call [__imp_X]) that the
 * kernel's import optimization rewrites in memory. */
#include "../include/samp.h"
#include "../include/rt.c.inc"

#define NTAPI __declspec(dllexport)

static volatile u64 KiSpinCount;
static volatile i64 KiTickCount;

NTAPI void KeAcquireSpinLockAtDpcLevel(volatile i64 *lock) {
  while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE) != 0) {
    KiSpinCount++;
    __builtin_ia32_pause();
  }
}

NTAPI void KeReleaseSpinLockFromDpcLevel(volatile i64 *lock) {
  __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* Table-driven CRC-32 (polynomial 0xEDB88320), the table built on first use. */
static u32 RtlpCrcTable[256];
static int RtlpCrcReady;

NTAPI u32 RtlComputeCrc32(u32 partial, const u8 *buffer, u32 length) {
  if (!RtlpCrcReady) {
    for (u32 i = 0; i < 256; i++) {
      u32 c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      RtlpCrcTable[i] = c;
    }
    RtlpCrcReady = 1;
  }
  u32 crc = ~partial;
  for (u32 i = 0; i < length; i++) crc = RtlpCrcTable[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

NTAPI i64 KeQueryTickCount(void) {
  return ++KiTickCount;
}

/* The image's entry point: nothing to initialize. */
long NtStubEntry(void *image, void *reserved) {
  (void)image;
  (void)reserved;
  return 0;
}
