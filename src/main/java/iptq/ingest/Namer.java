package iptq.ingest;

import iptq.symbols.ModuleSymbols;
import iptq.symbols.SymbolMap;

/**
 * Names an address for the tables: its module, and its function with the offset into it. One per
 * worker thread (it caches, unsynchronised): branches and blocks hit the same few thousand
 * addresses over and over, so a small direct-mapped cache saves the lookups and the string
 * building.
 */
final class Namer {
  /** module, function (name only), offset from the function start (or from the module base when no function). */
  record Name(String module, String function, long offset, String functionWithOffset) {
    /** {@code functionWithOffset}: {@code function+0xOFF}, or just {@code function} at its start. */
    static Name of(String module, String function, long offset) {
      String label = function == null ? null
          : offset == 0 ? function : function + "+0x" + Long.toHexString(offset);
      return new Name(module, function, offset, label);
    }
  }

  private static final Name NOWHERE = Name.of(null, null, 0);
  private static final int CACHE = 1 << 12;

  private final SymbolMap map;
  private final Places places;
  private final long[] keys = new long[CACHE];
  private final Name[] values = new Name[CACHE];
  private final int[] ids = new int[CACHE];

  /** {@code places} null: names only, no place ids (for the rows that store names as text). */
  Namer(SymbolMap map, Places places) {
    this.map = map;
    this.places = places;
  }

  Name name(long address) {
    return values[slot(address)];
  }

  /** The address's places.place_id. */
  int place(long address) {
    return ids[slot(address)];
  }

  /** The cache slot holding {@code address}, filled on a miss. */
  private int slot(long address) {
    int slot = (int) (address ^ (address >>> 12) ^ (address >>> 24)) & (CACHE - 1);
    Name n = values[slot];
    if (n != null && keys[slot] == address) return slot;
    n = lookup(address);
    keys[slot] = address;
    values[slot] = n;
    ids[slot] = places == null ? -1 : places.id(map, address, n);
    return slot;
  }

  /** {@code module!function+0xOFF}, {@code module+0xRVA} without a function, or null outside every module. */
  String label(long address) {
    return map.describe(address);
  }

  private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{5,16}\\b");

  /**
   * {@code text} with every address in it that lies in a module followed by its name, as
   * {@code 0xfffff805620d14f0 (sampdrv.sys!SampSystemService+0x20)}: messages people read name
   * the code, not only the number.
   */
  String nameAddresses(String text) {
    if (text == null || text.indexOf("0x") < 0) return text;
    java.util.regex.Matcher m = ADDRESS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = label(Long.parseUnsignedLong(m.group().substring(2), 16));
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
          name == null || text.startsWith(" (" + name, m.end()) ? m.group() : m.group() + " (" + name + ")"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private Name lookup(long address) {
    int m = map.moduleAt(address);
    if (m < 0) return NOWHERE;
    SymbolMap.Module mod = map.module(m);
    long rva = address - mod.base();
    ModuleSymbols syms = mod.symbols();
    int e = syms == null ? -1 : syms.find(rva);
    if (e < 0) return Name.of(mod.name(), null, rva);
    return Name.of(mod.name(), syms.name(e), rva - syms.start(e));
  }
}
