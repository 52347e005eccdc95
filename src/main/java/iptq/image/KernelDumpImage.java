package iptq.image;

/**
 * Code bytes from a kernel dump, through the page tables: kernel addresses (the upper half)
 * through the kernel's DirectoryTableBase from the dump header, user addresses through the
 * process's DirectoryTableBase given as {@code asid} (the CR3 that PIP packets carry). With
 * {@link CodeImage#ANY_ASID} every address goes through the kernel's tables.
 */
public final class KernelDumpImage implements CodeImage {
  private final KernelDump dump;

  public KernelDumpImage(KernelDump dump) {
    this.dump = dump;
  }

  public KernelDump dump() {
    return dump;
  }

  private long cr3For(long asid, long address) {
    return asid == ANY_ASID || address < 0 ? dump.directoryTableBase() : asid;
  }

  @Override
  public int read(long asid, long address, byte[] dst, int off, int len) {
    return dump.readVirtual(cr3For(asid, address), address, dst, off, len);
  }

  /** Whether every page of {@code [start, start + size)} is present in the dump. */
  public boolean covers(long asid, long start, long size) {
    for (long p = start & ~0xFFFL; Long.compareUnsigned(p, start + size) < 0; p += 0x1000) {
      if (dump.translate(cr3For(asid, p), p) < 0 || dump.pageOffset(dump.translate(cr3For(asid, p), p) >>> 12) < 0) return false;
    }
    return true;
  }

  @Override
  public String describe(long asid, long address) {
    KernelDump.KernelModule m = address < 0 ? dump.moduleAt(address) : null;
    if (m != null) return m.name() + "+0x" + Long.toHexString(address - m.base());
    if (dump.translate(cr3For(asid, address), address) < 0) return null;
    return dump.path().getFileName() + ":0x" + Long.toHexString(address);
  }
}
