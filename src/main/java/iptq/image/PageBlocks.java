package iptq.image;

/**
 * The run of page blocks that base relocations and the DVRT's fixups are made of: {PageRVA u32,
 * SizeOfBlock u32, entries}. One walker, so that a block size that runs past its table is
 * caught in one place for all of them.
 */
final class PageBlocks {
  /** Receives each block: its page and the file range of its entries. */
  interface Visitor {
    void block(long page, long entries, long end);
  }

  private PageBlocks() {}

  /** Walks the blocks in {@code [p, end)}; {@code what} and {@code within} name them in errors. */
  static void walk(BinFile f, long p, long end, String what, String within, Visitor v) {
    while (end - p >= 8) {
      long page = f.u32(p, what + " PageRVA");
      long block = f.u32(p + 4, what + " SizeOfBlock");
      if (block < 8 || block > end - p) throw f.error(p + 4, what + " block size " + block + " is not within " + within);
      v.block(page, p + 8, p + block);
      p += block;
    }
  }
}
