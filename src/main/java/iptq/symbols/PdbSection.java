package iptq.symbols;

/** An image section as the PDB's section header stream records it (segment n = section n-1). */
public record PdbSection(String name, long virtualAddress, long virtualSize, long characteristics) {
  static final long CNT_CODE = 0x20, MEM_EXECUTE = 0x20000000L;

  public boolean executable() {
    return (characteristics & (CNT_CODE | MEM_EXECUTE)) != 0;
  }

  public long end() {
    return virtualAddress + virtualSize;
  }
}
