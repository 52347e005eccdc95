/* samplib.dll: the sample's user-mode library. It parses text requests ("PUT 7=3*(2+4)",
 * "GET 7", "DEL 7", "SUM", "DEPTH", "TICK", "FLUSH"), keeps a user-side cache in a hash table
 * with open addressing, dispatches each command through a table of function pointers, evaluates
 * the value expressions with a recursive-descent parser, and enters the driver with SYSCALL. */
#include "../include/samp.h"
#include "../include/rt.c.inc"

#define CACHE_SLOTS 128

struct CacheSlot {
  u32 key;
  u32 value;
  u32 used;
};

static struct CacheSlot SlCache[CACHE_SLOTS];
static u32 SlHits, SlMisses;

/* The user half of a system call: the ntdll-style stub. RCX = service number, RDX and R8 the
 * arguments; the kernel takes the first argument in R10 because SYSCALL overwrites RCX. */
__attribute__((naked)) __declspec(dllexport) i64 SampSyscall(u32 number, struct SampRequest *r, u64 extra) {
  __asm__ volatile(
      "movl %ecx, %eax\n\t"
      "movq %rdx, %r10\n\t"
      "movq %r8, %rdx\n\t"
      "syscall\n\t"
      "retq\n\t");
}

static u32 CacheHash(u32 key) {
  return (key * 2654435761u) >> 25; /* 7 bits: CACHE_SLOTS */
}

static struct CacheSlot *CacheFind(u32 key, int forInsert) {
  u32 i = CacheHash(key);
  for (u32 probes = 0; probes < CACHE_SLOTS; probes++, i = (i + 1) & (CACHE_SLOTS - 1)) {
    struct CacheSlot *s = &SlCache[i];
    if (s->used && s->key == key) return s;
    if (!s->used) return forInsert ? s : 0;
  }
  return 0;
}

static void CacheForget(u32 key) {
  struct CacheSlot *s = CacheFind(key, 0);
  if (!s) return;
  /* Backward-shift deletion keeps every probe sequence unbroken. */
  u32 i = (u32)(s - SlCache);
  for (;;) {
    SlCache[i].used = 0;
    u32 j = i;
    for (;;) {
      j = (j + 1) & (CACHE_SLOTS - 1);
      if (!SlCache[j].used) return;
      u32 home = CacheHash(SlCache[j].key);
      if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) break;
    }
    SlCache[i] = SlCache[j];
    i = j;
  }
}

/* ---- the parser ---------------------------------------------------------------------------- */

struct Cursor {
  const char *p;
  int error;
};

static void SkipSpaces(struct Cursor *c) {
  while (*c->p == ' ' || *c->p == '\t') c->p++;
}

static u32 ParseNumber(struct Cursor *c) {
  SkipSpaces(c);
  if (*c->p < '0' || *c->p > '9') {
    c->error = 1;
    return 0;
  }
  u32 v = 0;
  while (*c->p >= '0' && *c->p <= '9') v = v * 10 + (u32)(*c->p++ - '0');
  return v;
}

static u32 ParseSum(struct Cursor *c);

/* Recursive descent: factor := number | '(' sum ')'. */
static u32 ParseFactor(struct Cursor *c) {
  SkipSpaces(c);
  if (*c->p == '(') {
    c->p++;
    u32 v = ParseSum(c);
    SkipSpaces(c);
    if (*c->p == ')')
      c->p++;
    else
      c->error = 1;
    return v;
  }
  return ParseNumber(c);
}

static u32 ParseProduct(struct Cursor *c) {
  u32 v = ParseFactor(c);
  for (;;) {
    SkipSpaces(c);
    if (*c->p != '*') return v;
    c->p++;
    v *= ParseFactor(c);
  }
}

static u32 ParseSum(struct Cursor *c) {
  u32 v = ParseProduct(c);
  for (;;) {
    SkipSpaces(c);
    if (*c->p == '+') {
      c->p++;
      v += ParseProduct(c);
    } else if (*c->p == '-') {
      c->p++;
      v -= ParseProduct(c);
    } else {
      return v;
    }
  }
}

static int StartsWord(const char *p, const char *word) {
  while (*word)
    if (*p++ != *word++) return 0;
  return *p == ' ' || *p == 0 || *p == '\n';
}

/* ---- the commands, dispatched through a table of function pointers ---------------------------- */

typedef i64 (*Command)(struct Cursor *c);

static i64 CmdPut(struct Cursor *c) {
  struct SampRequest r;
  r.key = ParseNumber(c);
  SkipSpaces(c);
  if (*c->p++ != '=') return -1;
  const char *expr = c->p;
  r.value = ParseSum(c);
  if (c->error) return -1;
  r.data = (const u8 *)expr;
  r.length = (u32)(c->p - expr);
  struct CacheSlot *s = CacheFind(r.key, 1);
  if (s) {
    s->key = r.key;
    s->value = r.value;
    s->used = 1;
  }
  return SampSyscall(SAMP_SVC_INSERT, &r, 0);
}

static i64 CmdGet(struct Cursor *c) {
  struct SampRequest r = {0};
  r.key = ParseNumber(c);
  if (c->error) return -1;
  struct CacheSlot *s = CacheFind(r.key, 0);
  if (s) {
    SlHits++;
    return s->value;
  }
  SlMisses++;
  return SampSyscall(SAMP_SVC_QUERY, &r, 0);
}

static i64 CmdDel(struct Cursor *c) {
  struct SampRequest r = {0};
  r.key = ParseNumber(c);
  if (c->error) return -1;
  CacheForget(r.key);
  return SampSyscall(SAMP_SVC_REMOVE, &r, 0);
}

static i64 CmdSum(struct Cursor *c) {
  (void)c;
  return SampSyscall(SAMP_SVC_CHECKSUM, 0, 17);
}

static i64 CmdDepth(struct Cursor *c) {
  (void)c;
  return SampSyscall(SAMP_SVC_DEPTH, 0, 0);
}

static i64 CmdTick(struct Cursor *c) {
  (void)c;
  return SampSyscall(SAMP_SVC_YIELD, 0, 0);
}

static i64 CmdFlush(struct Cursor *c) {
  (void)c;
  memset(SlCache, 0, sizeof SlCache);
  return SampSyscall(SAMP_SVC_FLUSH, 0, 0);
}

static const struct {
  const char *word;
  Command run;
} SlCommands[] = {
    {"PUT", CmdPut}, {"GET", CmdGet},     {"DEL", CmdDel},     {"SUM", CmdSum},
    {"DEPTH", CmdDepth}, {"TICK", CmdTick}, {"FLUSH", CmdFlush},
};

/* Runs one request line; returns its result, or -1 for a line that does not parse. */
__declspec(dllexport) i64 SampRunRequest(const char *line) {
  struct Cursor c = {line, 0};
  SkipSpaces(&c);
  for (u32 i = 0; i < sizeof SlCommands / sizeof SlCommands[0]; i++) {
    if (StartsWord(c.p, SlCommands[i].word)) {
      const char *w = SlCommands[i].word;
      while (*w++) c.p++;
      return SlCommands[i].run(&c);
    }
  }
  return -1;
}

/* Runs newline-separated requests; returns a digest of the results. */
__declspec(dllexport) u64 SampRunScript(const char *script) {
  u64 digest = 0;
  char line[96];
  const char *p = script;
  while (*p) {
    u32 n = 0;
    while (*p && *p != '\n' && n < sizeof line - 1) line[n++] = *p++;
    line[n] = 0;
    while (*p && *p != '\n') p++;
    if (*p == '\n') p++;
    digest = digest * 1000003u + (u64)SampRunRequest(line);
  }
  return digest ^ ((u64)SlHits << 32) ^ SlMisses;
}

int SampLibEntry(void *instance, u32 reason, void *reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return 1;
}
