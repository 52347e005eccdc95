package iptq.bench;

import iptq.symbols.ExportSymbol;
import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbFile;
import iptq.symbols.PdbSection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Address → function lookups per second of {@link ModuleSymbols#find}, on the real PDB's table
 * and on a generated table the size of a large kernel module (fixed seed), against a plain
 * {@code TreeMap.floorEntry} lookup over the same symbols measured in the same run (there is no
 * libipt counterpart for symbol lookup).
 *
 * <p>Usage: {@code bench/symbols [FUNCTIONS=100000] [LOOKUPS=4000000] [RUNS=5]}
 */
public final class SymbolLookupBench {
  private SymbolLookupBench() {}

  public static void main(String[] args) throws Exception {
    int functions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path real = iptq.testing.Fixtures.dir().resolve("pdb/CrashWithException.pdb");
    if (Files.exists(real)) {
      bench("CrashWithException.pdb (" + ModuleSymbols.fromPdb("m", PdbFile.open(real)).entryCount() + " functions)",
          ModuleSymbols.fromPdb("CrashWithException.exe", PdbFile.open(real)), lookups, runs);
    }
    bench("generated, " + functions + " functions", generated(functions), lookups, runs);
  }

  /** Functions of 16..4096 bytes with gaps, in one code section, from a fixed seed. */
  static ModuleSymbols generated(int n) {
    Random rnd = new Random(42);
    List<ExportSymbol> xs = new ArrayList<>(n);
    long rva = 0x1000;
    for (int i = 0; i < n; i++) {
      xs.add(new ExportSymbol(rva, "function_" + i));
      rva += 16 + 16 * rnd.nextInt(256);
    }
    return ModuleSymbols.fromExports("generated.sys", xs, List.of(new PdbSection(".text", 0x1000, rva - 0x1000, 0x60000020L)));
  }

  static void bench(String what, ModuleSymbols syms, int lookups, int runs) {
    long lo = syms.start(0), hi = syms.start(syms.entryCount() - 1) + syms.size(syms.entryCount() - 1);
    Random rnd = new Random(7);
    long[] addrs = new long[lookups];
    for (int i = 0; i < lookups; i++) addrs[i] = lo + (long) (rnd.nextDouble() * (hi - lo + 0x100)) - 0x80;
    TreeMap<Long, Integer> tree = new TreeMap<>();
    for (int e = 0; e < syms.entryCount(); e++) tree.put(syms.start(e), e);

    double[] ours = new double[runs], base = new double[runs];
    long check = 0, checkBase = 0;
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      long sum = 0;
      for (long a : addrs) sum += syms.find(a);
      long t1 = System.nanoTime();
      long sumBase = 0;
      for (long a : addrs) {
        Map.Entry<Long, Integer> f = tree.floorEntry(a);
        int e = f == null ? -1 : f.getValue();
        sumBase += e >= 0 && a < syms.start(e) + syms.size(e) ? e : -1;
      }
      long t2 = System.nanoTime();
      ours[r] = lookups / ((t1 - t0) / 1e9);
      base[r] = lookups / ((t2 - t1) / 1e9);
      check = sum;
      checkBase = sumBase;
    }
    if (check != checkBase) throw new AssertionError("lookup results differ from the TreeMap: " + check + " vs " + checkBase);
    java.util.Arrays.sort(ours);
    java.util.Arrays.sort(base);
    double o = ours[runs / 2], b = base[runs / 2];
    System.out.printf("%s: iptq %.1f M lookups/s (best %.1f), TreeMap baseline %.1f M lookups/s, ratio %.2f%n",
        what, o / 1e6, ours[runs - 1] / 1e6, b / 1e6, o / b);
  }
}
