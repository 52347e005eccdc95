package iptq.image;

/**
 * The code bytes a trace ran over: where each address's bytes come from (a raw file, a dump, a
 * PE file mapped at its load address). The flow decoder reads through this and nothing else, so
 * every source plugs in the same way.
 *
 * <p>{@code asid} names the address space: the CR3 value that PIP packets carry (on Windows, the
 * process's DirectoryTableBase), or {@link #ANY_ASID} where the trace gave none. Implementations
 * that do not distinguish address spaces ignore it.
 */
public interface CodeImage {
  long ANY_ASID = -1L;

  /**
   * Copies up to {@code len} bytes of code at {@code address} into {@code dst}; returns how many
   * were copied, stopping at the end of the contiguous range that holds {@code address}, or 0
   * when there is no code there.
   */
  int read(long asid, long address, byte[] dst, int off, int len);

  /**
   * A short name for what holds {@code address} (module and offset, or file), for error
   * messages and listings; null when nothing does.
   */
  String describe(long asid, long address);

  /**
   * Whether the code at {@code address} is the same in every address space: an image that
   * ignores {@code asid} there (raw files, one process's view, kernel code, which every process
   * maps alike). The flow decoder then decodes and caches it once for all address spaces, as
   * libipt's section cache shares a section that several images map. False unless known.
   */
  default boolean sameInEveryAddressSpace(long address) {
    return false;
  }
}
