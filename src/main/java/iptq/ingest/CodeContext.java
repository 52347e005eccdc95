package iptq.ingest;

import iptq.image.CodeImage;
import iptq.symbols.SymbolMap;

/**
 * What the flow decoder needs besides the trace: the code bytes a segment ran over, the names of
 * its addresses, and which process a CR3 belongs to. One per ingest, shared by the workers (all
 * of it is read-only once built).
 */
interface CodeContext {
  /** The code for this segment, or null when there is none (then only packets are decoded). */
  CodeImage imageFor(SegmentInput segment);

  /** Modules and symbols for naming this segment's addresses (an empty map when none). */
  SymbolMap symbolsFor(SegmentInput segment);

  /** The process whose page tables are at {@code cr3}, or {@link iptq.table.TableWriter#NULL}. */
  long pidOf(long cr3);

  /**
   * No code, but the modules and names of {@code names}: packets only, yet what the packets ran
   * into can still be named (for the ingest summary).
   */
  static CodeContext namesOnly(CodeContext names) {
    return new CodeContext() {
      @Override
      public CodeImage imageFor(SegmentInput segment) {
        return null;
      }

      @Override
      public SymbolMap symbolsFor(SegmentInput segment) {
        return names.symbolsFor(segment);
      }

      @Override
      public long pidOf(long cr3) {
        return names.pidOf(cr3);
      }
    };
  }

  /** A context with no code at all: packets only. */
  CodeContext NONE = new CodeContext() {
    private final SymbolMap empty = new SymbolMap(java.util.List.of());

    @Override
    public CodeImage imageFor(SegmentInput segment) {
      return null;
    }

    @Override
    public SymbolMap symbolsFor(SegmentInput segment) {
      return empty;
    }

    @Override
    public long pidOf(long cr3) {
      return iptq.table.TableWriter.NULL;
    }
  };
}
