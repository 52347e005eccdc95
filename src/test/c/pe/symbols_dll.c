/* A DLL for the symbol tests: exported and file-local functions of different sizes, so that the
 * PDB's procedures, publics and the export table all have something to say. Built by ClangPe. */

typedef unsigned long long u64;

__declspec(noinline) static u64 mix(u64 x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

__declspec(noinline) static int classify(int c) {
  switch (c) {
    case 0: return 10;
    case 1: return 11;
    case 2: return 13;
    case 3: return 17;
    case 4: return 19;
    case 5: return 23;
    case 6: return 29;
    default: return -1;
  }
}

__declspec(noinline) int sum_array(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += a[i];
  return s;
}

__declspec(dllexport) u64 hash_bytes(const unsigned char *p, int n) {
  u64 h = 1469598103934665603ULL;
  for (int i = 0; i < n; i++) h = mix(h ^ p[i]);
  return h;
}

__declspec(dllexport) int classify_all(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += classify(a[i]);
  return s + sum_array(a, n);
}

__declspec(dllexport) int exported_tiny(void) { return 42; }

__declspec(dllexport) int exported_recursive(int n) {
  return n <= 1 ? 1 : n * exported_recursive(n - 1) + classify(n & 7);
}

__declspec(noinline) static void fill(int *a, int n, int v) {
  for (int i = 0; i < n; i++) a[i] = v + i * 3;
}

__declspec(dllexport) int run_all(void) {
  int buf[32];
  fill(buf, 32, 5);
  return classify_all(buf, 32) + (int)hash_bytes((const unsigned char *)buf, sizeof buf);
}

int __stdcall DllMain(void *instance, unsigned reason, void *reserved) {
  (void)instance;
  (void)reserved;
  return reason != 99;
}
