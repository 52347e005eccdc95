package iptq.symbols;

import iptq.InputException;
import iptq.image.BinFile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The MSF container a PDB lives in: a file of fixed-size pages holding numbered streams, each
 * stream a list of pages. Every page number is checked against the file, and no page may belong
 * to two streams (or twice to one), so a hostile directory can neither make a stream loop nor
 * make the streams together larger than the file.
 */
public final class Msf {
  static final byte[] MAGIC = "Microsoft C/C++ MSF 7.00\r\n\u001aDS\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] OLD_MAGIC = "Microsoft C/C++ program database 2.00\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /** A stream the directory lists as absent (size 0xFFFFFFFF). */
  public static final int NIL = -1;

  private final BinFile file;
  private final int pageSize;
  private final long numPages;
  private final long directorySize;
  private final int[] sizes;
  private final int[][] pages;
  private final long[] directoryPages;
  /** Where the directory says each stream's size (and, last, where NumStreams is): for errors. */
  private final long[] sizeAt;

  private Msf(BinFile file, int pageSize, long numPages, long directorySize, int[] sizes, int[][] pages,
      long[] directoryPages, long[] sizeAt) {
    this.sizeAt = sizeAt;
    this.file = file;
    this.pageSize = pageSize;
    this.numPages = numPages;
    this.directorySize = directorySize;
    this.sizes = sizes;
    this.pages = pages;
    this.directoryPages = directoryPages;
  }

  /** Reads the superblock and the stream directory. */
  public static Msf read(BinFile f) {
    if (f.size() >= OLD_MAGIC.length && Arrays.equals(f.bytes(0, OLD_MAGIC.length, "magic"), OLD_MAGIC)) {
      throw f.error(0, "a PDB 2.0 file (Visual C++ 6 era); only MSF 7.00 PDBs are supported");
    }
    if (f.size() < 56 || !Arrays.equals(f.bytes(0, MAGIC.length, "magic"), MAGIC)) {
      throw f.error(0, "not a PDB: the MSF 7.00 signature is missing");
    }
    long ps = f.u32(32, "PageSize");
    if (ps < 512 || ps > 65536 || Long.bitCount(ps) != 1) {
      throw f.error(32, "PageSize " + ps + " is not a power of two between 512 and 65536");
    }
    int pageSize = (int) ps;
    long numPages = f.u32(40, "NumPages");
    long inFile = (f.size() + pageSize - 1) / pageSize;
    // Pages past the end of the file cannot be read whatever NumPages claims.
    long usable = Math.min(numPages, inFile);
    long dirSize = f.u32(44, "DirectorySize");
    if (dirSize < 4 || dirSize > f.size()) {
      throw f.error(44, "DirectorySize " + dirSize + " does not fit a file of " + f.size() + " bytes");
    }
    BitSet used = new BitSet((int) usable);
    used.set(0); // the superblock
    long nDirPages = (dirSize + pageSize - 1) / pageSize;
    long nListPages = (nDirPages * 4 + pageSize - 1) / pageSize;
    if (52 + nListPages * 4 > pageSize) {
      throw f.error(52, "the stream directory of " + dirSize + " bytes needs " + nListPages
          + " page-list pages, more than the superblock can name");
    }
    long[] dirPages = new long[(int) nDirPages];
    int k = 0;
    for (int i = 0; i < nListPages; i++) {
      long listPage = page(f, 52 + 4L * i, usable, pageSize, used, "directory page-list page");
      long base = listPage * pageSize;
      for (int j = 0; j < pageSize / 4 && k < nDirPages; j++, k++) {
        dirPages[k] = page(f, base + 4L * j, usable, pageSize, used, "stream directory page");
      }
    }
    Directory dir = new Directory(f, dirPages, pageSize, dirSize);
    long numStreams = dir.u32(0, "NumStreams");
    if (numStreams > (dirSize - 4) / 4) {
      throw f.error(dir.fileOffset(0), "NumStreams " + numStreams + " does not fit a directory of " + dirSize + " bytes");
    }
    int n = (int) numStreams;
    int[] sizes = new int[n];
    long[] sizeAt = new long[n + 1];
    sizeAt[n] = dir.fileOffset(0);
    long pos = 4;
    for (int i = 0; i < n; i++, pos += 4) {
      sizeAt[i] = dir.fileOffset(pos);
      long s = dir.u32(pos, "stream size");
      if (s == 0xFFFFFFFFL) {
        sizes[i] = NIL;
      } else if (s > f.size()) {
        throw f.error(dir.fileOffset(pos), "stream " + i + " claims " + s + " bytes, more than the whole file");
      } else {
        sizes[i] = (int) s;
      }
    }
    int[][] pages = new int[n][];
    for (int i = 0; i < n; i++) {
      long count = sizes[i] <= 0 ? 0 : (sizes[i] + (long) pageSize - 1) / pageSize;
      if (pos + 4 * count > dirSize) {
        throw f.error(dir.fileOffset(Math.min(pos, dirSize - 1)), "the page list of stream " + i
            + " runs past the end of the stream directory");
      }
      int[] p = new int[(int) count];
      for (int j = 0; j < count; j++, pos += 4) {
        long pg = dir.u32(pos, "stream page");
        if (pg >= usable) {
          throw f.error(dir.fileOffset(pos), "stream " + i + " page " + pg + " lies outside the file's "
              + usable + " pages");
        }
        if (used.get((int) pg)) {
          throw f.error(dir.fileOffset(pos), "stream " + i + " page " + pg + " is already in use by another stream");
        }
        used.set((int) pg);
        p[j] = (int) pg;
      }
      pages[i] = p;
    }
    return new Msf(f, pageSize, numPages, dirSize, sizes, pages, dirPages, sizeAt);
  }

  private static long page(BinFile f, long at, long usable, int pageSize, BitSet used, String what) {
    long p = f.u32(at, what);
    if (p == 0 || p >= usable) throw f.error(at, what + " " + p + " lies outside the file's " + usable + " pages");
    if (used.get((int) p)) throw f.error(at, what + " " + p + " is used twice (the page lists form a cycle)");
    used.set((int) p);
    return p;
  }

  /** The stream directory read through its page list. */
  private static final class Directory {
    final BinFile f;
    final long[] pages;
    final int pageSize;
    final long size;

    Directory(BinFile f, long[] pages, int pageSize, long size) {
      this.f = f;
      this.pages = pages;
      this.pageSize = pageSize;
      this.size = size;
    }

    long fileOffset(long pos) {
      return pages[(int) (pos / pageSize)] * pageSize + pos % pageSize;
    }

    long u32(long pos, String what) {
      if (pos + 4 > size) throw f.error(fileOffset(Math.max(0, size - 1)), what + " lies past the end of the stream directory");
      if (pos % pageSize <= pageSize - 4) return f.u32(fileOffset(pos), what);
      long v = 0;
      for (int i = 3; i >= 0; i--) v = v << 8 | f.u8(fileOffset(pos + i), what);
      return v;
    }
  }

  public BinFile file() {
    return file;
  }

  public int pageSize() {
    return pageSize;
  }

  public long numPages() {
    return numPages;
  }

  public long directorySize() {
    return directorySize;
  }

  public int directoryPageCount() {
    return directoryPages.length;
  }

  public int streamCount() {
    return sizes.length;
  }

  /** The stream's size in bytes, or {@link #NIL} when the directory lists it as absent. */
  public int streamSize(int stream) {
    return stream < 0 || stream >= sizes.length ? NIL : sizes[stream];
  }

  public boolean exists(int stream) {
    return streamSize(stream) != NIL;
  }

  /** The file offset of byte {@code pos} of a stream, for error messages. */
  public long fileOffset(int stream, long pos) {
    int[] p = pages[stream];
    if (p.length == 0) return directoryEntry(stream);
    long i = Math.min(pos / pageSize, p.length - 1);
    return (long) p[(int) i] * pageSize + (pos - i * pageSize);
  }

  /** Where the stream directory gives the stream's size, or NumStreams for a stream past its end. */
  long directoryEntry(int stream) {
    return stream >= 0 && stream < sizes.length ? sizeAt[stream] : sizeAt[sizes.length];
  }

  /** The whole stream. */
  public StreamData stream(int stream, String what) {
    return stream(stream, Integer.MAX_VALUE, what);
  }

  /** The first {@code max} bytes of a stream (all of it when shorter). */
  public StreamData stream(int stream, int max, String what) {
    if (!exists(stream)) {
      throw new InputException(file.path(), directoryEntry(stream), what + " (stream " + stream + ") is missing"
          + (stream < 0 || stream >= sizes.length ? " (the directory lists " + sizes.length + " streams)" : ""));
    }
    int len = Math.min(sizes[stream], max);
    byte[] b = new byte[len];
    int[] p = pages[stream];
    for (int done = 0, i = 0; done < len; i++) {
      int n = Math.min(pageSize, len - done);
      long off = (long) p[i] * pageSize;
      file.check(off, n, what + " page " + p[i]);
      file.read(off, b, done, n);
      done += n;
    }
    return new StreamData(this, stream, b, what);
  }
}
