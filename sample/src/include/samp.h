/* The interface shared by the sample's user-mode and "kernel" halves: the system-service
 * numbers the user DLL passes in EAX, and the request the driver serves. */
#ifndef SAMP_H
#define SAMP_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;

enum SampService {
  SAMP_SVC_QUERY = 0,
  SAMP_SVC_INSERT = 1,
  SAMP_SVC_REMOVE = 2,
  SAMP_SVC_CHECKSUM = 3,
  SAMP_SVC_DEPTH = 4,
  SAMP_SVC_YIELD = 5,
  SAMP_SVC_STATS = 6,
  SAMP_SVC_FLUSH = 7,
  SAMP_SVC_COUNT = 8
};

struct SampRequest {
  u32 key;
  u32 value;
  const u8 *data;
  u32 length;
};

/* The freestanding runtime the compiler may call for block copies and clears. */
void *memset(void *dst, int c, unsigned long long n);
void *memcpy(void *dst, const void *src, unsigned long long n);

#endif
