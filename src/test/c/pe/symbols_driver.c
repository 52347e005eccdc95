/* A kernel-mode driver image for the symbol tests (and a shape the end-to-end sample reuses):
 * no CRT, entry DriverEntry, built with /driver /subsystem:native by ClangPe. */

typedef long NTSTATUS;

__declspec(noinline) static unsigned checksum(const unsigned char *p, unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n; i++) s = (s << 5) + s + p[i];
  return s;
}

__declspec(noinline) NTSTATUS dispatch(unsigned code) {
  switch (code & 3) {
    case 0: return 0;
    case 1: return (NTSTATUS)0xC0000001L;
    case 2: return (NTSTATUS)checksum((const unsigned char *)&code, sizeof code);
    default: return (NTSTATUS)0xC0000010L;
  }
}

NTSTATUS DriverEntry(void *driver, void *registry) {
  (void)registry;
  return dispatch((unsigned)(unsigned long long)driver);
}
