/* A console EXE for the symbol tests, with no exports at all: its names come only from its PDB. */

__declspec(noinline) static int square(int x) { return x * x; }

__declspec(noinline) static int collatz_steps(unsigned n) {
  int steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

__declspec(noinline) int table_lookup(int i) {
  static const int table[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  return table[i % 11];
}

int start(void) {
  int s = 0;
  for (int i = 1; i < 30; i++) s += square(i) + collatz_steps((unsigned)i) + table_lookup(i);
  return s;
}
