package iptq.ingest;

import iptq.symbols.ModuleSymbols;
import iptq.symbols.SymbolMap;
import java.util.BitSet;

/**
 * What one segment ran into but had nothing for: the modules (indices into the segment's {@link
 * SymbolMap}) whose code was missing, those whose names were missing, and addresses in no module
 * of the trace at all. Filled by one worker while it decodes the segment, then handed to {@link
 * CodeNeeds} once; the checks are a compare per block, the lookups happen only when a module
 * changes, so decoding is not slowed.
 */
final class SegmentNeeds {
  final SymbolMap map;
  final BitSet noCode = new BitSet();
  final BitSet noNames = new BitSet();
  /** Modules that ran with exported names only (no PDB). */
  final BitSet exportsOnly = new BitSet();
  /** The first address in no module, and how many were met. */
  long strayIp;
  long strays;
  // The module of the last lookup, as an unsigned range: blocks mostly stay in one module.
  private int lastModule = -1;
  private long lastBase = 0, lastEnd = 0;

  SegmentNeeds(SymbolMap map) {
    this.map = map;
  }

  /** Code ran at {@code address} but none was given for it (packets only, or a no-code error). */
  void noCode(long address) {
    int m = module(address);
    if (m >= 0) noCode.set(m);
  }

  /** Code ran in {@code address}'s module: note whether that module has names. */
  void ran(long address) {
    int m = module(address);
    if (m < 0 || noNames.get(m) || exportsOnly.get(m)) return;
    String source = map.module(m).symbols().source();
    if (ModuleSymbols.SOURCE_NONE.equals(source)) noNames.set(m);
    else if (ModuleSymbols.SOURCE_EXPORTS.equals(source)) exportsOnly.set(m);
  }

  /**
   * Code ran at {@code address} (an IP packet of a segment decoded without code): it needed
   * both the module's code and, later, its names.
   */
  void packetIp(long address) {
    noCode(address);
    ran(address);
  }

  private int module(long address) {
    if (lastModule >= 0 && Long.compareUnsigned(address - lastBase, lastEnd - lastBase) < 0) return lastModule;
    int m = map.moduleAt(address);
    if (m < 0) {
      if (strays == 0) strayIp = address;
      strays++;
      return m;
    }
    SymbolMap.Module mod = map.module(m);
    lastModule = m;
    lastBase = mod.base();
    lastEnd = mod.base() + mod.size();
    return m;
  }

  boolean isEmpty() {
    return noCode.isEmpty() && noNames.isEmpty() && exportsOnly.isEmpty() && strays == 0;
  }
}
