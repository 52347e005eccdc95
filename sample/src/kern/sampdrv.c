/* sampdrv.sys: the sample's "kernel" driver. It holds a keyed object table (a hash table with
 * chaining under a spin lock), serves the system services the user DLL calls with SYSCALL
 * (dispatched through a switch that compiles to a jump table), walks a tree recursively, and
 * calls into ntstub.sys through imports. */
#include "../include/samp.h"
#include "../include/rt.c.inc"

#define NTIMPORT __declspec(dllimport)

NTIMPORT void KeAcquireSpinLockAtDpcLevel(volatile i64 *lock);
NTIMPORT void KeReleaseSpinLockFromDpcLevel(volatile i64 *lock);
NTIMPORT u32 RtlComputeCrc32(u32 partial, const u8 *buffer, u32 length);
NTIMPORT i64 KeQueryTickCount(void);

#define TABLE_BUCKETS 64
#define POOL_SIZE 256

struct SampObject {
  u32 key;
  u32 value;
  u32 crc;
  struct SampObject *next;
  struct SampObject *left, *right; /* the ordered tree over the same objects */
};

static struct SampObject SampPool[POOL_SIZE];
static struct SampObject *SampFree;
static struct SampObject *SampBuckets[TABLE_BUCKETS];
static struct SampObject *SampTreeRoot;
static volatile i64 SampTableLock;
static u64 SampStats[SAMP_SVC_COUNT];
static int SampReady;

static u32 SampHash(u32 key) {
  key ^= key >> 16;
  key *= 0x45d9f3bu;
  key ^= key >> 16;
  return key & (TABLE_BUCKETS - 1);
}

static void SampInitialize(void) {
  for (int i = POOL_SIZE - 1; i >= 0; i--) {
    SampPool[i].next = SampFree;
    SampFree = &SampPool[i];
  }
  SampReady = 1;
}

static struct SampObject *SampLookup(u32 key) {
  for (struct SampObject *o = SampBuckets[SampHash(key)]; o; o = o->next)
    if (o->key == key) return o;
  return 0;
}

static void SampTreeInsert(struct SampObject **link, struct SampObject *o) {
  while (*link) link = o->key < (*link)->key ? &(*link)->left : &(*link)->right;
  o->left = o->right = 0;
  *link = o;
}

/* Recursive: the height of the ordered tree. */
static u32 SampTreeDepth(const struct SampObject *o) {
  if (!o) return 0;
  u32 l = SampTreeDepth(o->left);
  u32 r = SampTreeDepth(o->right);
  return 1 + (l > r ? l : r);
}

/* Recursive: an order-dependent checksum of the tree, in key order. */
static u32 SampTreeChecksum(const struct SampObject *o, u32 acc) {
  if (!o) return acc;
  acc = SampTreeChecksum(o->left, acc);
  acc = acc * 31 + o->crc;
  return SampTreeChecksum(o->right, acc);
}

static void SampTreeRebuild(void) {
  SampTreeRoot = 0;
  for (int b = 0; b < TABLE_BUCKETS; b++)
    for (struct SampObject *o = SampBuckets[b]; o; o = o->next) SampTreeInsert(&SampTreeRoot, o);
}

static i64 SampQuery(struct SampRequest *r) {
  KeAcquireSpinLockAtDpcLevel(&SampTableLock);
  struct SampObject *o = SampLookup(r->key);
  i64 result = o ? (i64)o->value : -1;
  KeReleaseSpinLockFromDpcLevel(&SampTableLock);
  return result;
}

static i64 SampInsert(struct SampRequest *r) {
  u32 crc = RtlComputeCrc32(0, r->data, r->length);
  KeAcquireSpinLockAtDpcLevel(&SampTableLock);
  struct SampObject *o = SampLookup(r->key);
  i64 result = 0;
  if (o) {
    o->value = r->value;
    o->crc = crc;
  } else if (SampFree) {
    o = SampFree;
    SampFree = o->next;
    o->key = r->key;
    o->value = r->value;
    o->crc = crc;
    u32 h = SampHash(r->key);
    o->next = SampBuckets[h];
    SampBuckets[h] = o;
    SampTreeInsert(&SampTreeRoot, o);
    result = 1;
  } else {
    result = -1;
  }
  KeReleaseSpinLockFromDpcLevel(&SampTableLock);
  return result;
}

static i64 SampRemove(struct SampRequest *r) {
  KeAcquireSpinLockAtDpcLevel(&SampTableLock);
  struct SampObject **link = &SampBuckets[SampHash(r->key)];
  i64 result = -1;
  while (*link) {
    if ((*link)->key == r->key) {
      struct SampObject *o = *link;
      *link = o->next;
      o->next = SampFree;
      SampFree = o;
      result = 0;
      SampTreeRebuild();
      break;
    }
    link = &(*link)->next;
  }
  KeReleaseSpinLockFromDpcLevel(&SampTableLock);
  return result;
}

static i64 SampFlush(void) {
  KeAcquireSpinLockAtDpcLevel(&SampTableLock);
  i64 n = 0;
  for (int b = 0; b < TABLE_BUCKETS; b++) {
    while (SampBuckets[b]) {
      struct SampObject *o = SampBuckets[b];
      SampBuckets[b] = o->next;
      o->next = SampFree;
      SampFree = o;
      n++;
    }
  }
  SampTreeRoot = 0;
  KeReleaseSpinLockFromDpcLevel(&SampTableLock);
  return n;
}

/* The system-service dispatcher: the switch is dense, so the compiler emits a jump table. */
__declspec(dllexport) i64 SampSystemService(u32 number, struct SampRequest *request, u64 extra) {
  if (!SampReady) SampInitialize();
  if (number >= SAMP_SVC_COUNT) return -2;
  SampStats[number]++;
  switch (number) {
    case SAMP_SVC_QUERY:
      return SampQuery(request);
    case SAMP_SVC_INSERT:
      return SampInsert(request);
    case SAMP_SVC_REMOVE:
      return SampRemove(request);
    case SAMP_SVC_CHECKSUM:
      return SampTreeChecksum(SampTreeRoot, (u32)extra);
    case SAMP_SVC_DEPTH:
      return SampTreeDepth(SampTreeRoot);
    case SAMP_SVC_YIELD:
      return KeQueryTickCount();
    case SAMP_SVC_STATS:
      return (i64)SampStats[extra % SAMP_SVC_COUNT];
    case SAMP_SVC_FLUSH:
      return SampFlush();
  }
  return -3;
}

/* SYSCALL lands here (the sample's KiSystemCall64): EAX holds the service number, R10 and RDX
 * the arguments; RCX and R11 hold the user RIP and RFLAGS that SYSRET restores. */
__attribute__((naked)) __declspec(dllexport) void SampKiSystemCall64(void) {
  __asm__ volatile(
      "pushq %rcx\n\t"
      "pushq %r11\n\t"
      "movq %rdx, %r8\n\t"
      "movq %r10, %rdx\n\t"
      "movl %eax, %ecx\n\t"
      "subq $40, %rsp\n\t"
      "callq SampSystemService\n\t"
      "addq $40, %rsp\n\t"
      "popq %r11\n\t"
      "popq %rcx\n\t"
      "sysretq\n\t");
}

long DriverEntry(void *driverObject, void *registryPath) {
  (void)driverObject;
  (void)registryPath;
  SampInitialize();
  return 0;
}
