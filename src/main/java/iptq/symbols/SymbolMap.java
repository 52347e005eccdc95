package iptq.symbols;

import iptq.image.Addresses;
import java.util.ArrayList;
import java.util.List;

/**
 * The modules of one address space with their symbols: absolute address → module → function, as
 * WinDbg writes it ({@code module!function+0x12}). Modules are sorted by base in primitive arrays;
 * overlapping modules are not expected (the later base wins for addresses in both).
 */
public final class SymbolMap {
  /** A module loaded at {@code base} spanning {@code size} bytes. */
  public record Module(String name, long base, long size, ModuleSymbols symbols) {}

  private final long[] base;
  private final long[] end;
  private final Module[] modules;

  public SymbolMap(List<Module> loaded) {
    List<Module> sorted = new ArrayList<>(loaded);
    sorted.sort((a, b) -> Long.compareUnsigned(a.base(), b.base())); // kernel addresses are "negative"
    modules = sorted.toArray(new Module[0]);
    base = new long[modules.length];
    end = new long[modules.length];
    for (int i = 0; i < modules.length; i++) {
      base[i] = modules[i].base();
      end[i] = modules[i].base() + modules[i].size();
    }
  }

  /** Index of the module containing {@code address} (unsigned), or -1. */
  public int moduleAt(long address) {
    int hi = Addresses.floor(base, address);
    return hi >= 0 && Long.compareUnsigned(address, end[hi]) < 0 ? hi : -1;
  }

  public Module module(int index) {
    return modules[index];
  }

  /** {@code module!function+0xOFF}, {@code module+0xRVA} without a function, or null outside every module. */
  public String describe(long address) {
    int m = moduleAt(address);
    if (m < 0) return null;
    Module mod = modules[m];
    long rva = address - mod.base();
    String f = mod.symbols().describe(rva);
    return f != null ? mod.name() + "!" + f : mod.name() + "+0x" + Long.toHexString(rva);
  }
}
