/*
 * Freestanding C (no headers) compiled by X86CompiledCodeTest with gcc and clang for 32-bit
 * (-m32) and 16-bit (-m16: .code16gcc, dense in 66/67 prefixes) x86, at several optimisation
 * and ISA levels, so the decoder meets real compiler output in those modes: switch jump tables,
 * calls through pointers, loops, 64-bit arithmetic on 32-bit registers, floating point,
 * vectorised loops (SSE/AVX2/AVX-512 with the -m flags), varargs and recursion.
 */
typedef unsigned int u32;
typedef unsigned long long u64;
typedef __builtin_va_list va_list;

struct node { struct node *next; u32 key; double weight; };

static u32 table[256];

u32 hash(const unsigned char *p, u32 n) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < n; i++) {
    h = (h ^ p[i]) * 16777619u;
  }
  return h;
}

int dispatch(int op, int a, int b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return b ? a / b : 0;
    case 4: return a << (b & 31);
    case 5: return a >> (b & 31);
    case 6: return a & b;
    case 7: return a | b;
    case 8: return a ^ b;
    default: return -1;
  }
}

typedef int (*binop)(int, int);
static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
binop ops[2] = { add, mul };

int apply(int which, int a, int b) { return ops[which & 1](a, b); }

u64 mix64(u64 a, u64 b) { return (a * 0x9e3779b97f4a7c15ull) ^ (b >> 7) ^ (a / (b | 1)); }

long long divmod(long long a, long long b, long long *rem) {
  *rem = a % b;
  return a / b;
}

double weigh(struct node *n) {
  double s = 0;
  for (; n; n = n->next) {
    s += n->weight * n->key;
  }
  return s;
}

void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++) {
    y[i] += a * x[i];
  }
}

int dot(const int *a, const int *b, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) {
    s += a[i] * b[i];
  }
  return s;
}

void fill(u32 seed) {
  for (int i = 0; i < 256; i++) {
    seed = seed * 1103515245u + 12345u;
    table[i] = seed >> 8;
  }
}

int sum(int count, ...) {
  va_list ap;
  __builtin_va_start(ap, count);
  int s = 0;
  for (int i = 0; i < count; i++) {
    s += __builtin_va_arg(ap, int);
  }
  __builtin_va_end(ap);
  return s;
}

u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int search(const int *sorted, int n, int key) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    int mid = lo + ((hi - lo) >> 1);
    if (sorted[mid] == key) return mid;
    if (sorted[mid] < key) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

void copy(unsigned char *d, const unsigned char *s, u32 n) {
  while (n--) *d++ = *s++;
}

int parse(const char *s) {
  int v = 0, sign = 1;
  if (*s == '-') { sign = -1; s++; }
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v * sign;
}
