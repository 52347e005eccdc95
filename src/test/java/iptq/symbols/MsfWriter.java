package iptq.symbols;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes streams into an MSF 7.00 container, for tests that need layouts the real PDBs do not
 * have (small pages with a directory spanning several page-list pages, extra OMAP streams).
 * Layout: superblock, two free-page-map pages, the streams' pages, the directory, its page list.
 */
final class MsfWriter {
  private MsfWriter() {}

  /** {@code streams.get(i) == null} is an absent stream. */
  static byte[] write(int pageSize, List<byte[]> streams) {
    int next = 3;
    int[][] pages = new int[streams.size()][];
    for (int i = 0; i < streams.size(); i++) {
      byte[] s = streams.get(i);
      int n = s == null ? 0 : (s.length + pageSize - 1) / pageSize;
      pages[i] = new int[n];
      for (int j = 0; j < n; j++) pages[i][j] = next++;
    }
    int dirSize = 4 + 4 * streams.size();
    for (int[] p : pages) dirSize += 4 * p.length;
    int dirPages = (dirSize + pageSize - 1) / pageSize;
    int firstDirPage = next;
    next += dirPages;
    int listPages = (dirPages * 4 + pageSize - 1) / pageSize;
    int firstListPage = next;
    next += listPages;
    ByteBuffer out = ByteBuffer.allocate(next * pageSize).order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, Msf.MAGIC);
    out.putInt(32, pageSize).putInt(36, 1).putInt(40, next).putInt(44, dirSize);
    for (int i = 0; i < listPages; i++) out.putInt(52 + 4 * i, firstListPage + i);
    for (int i = 0; i < streams.size(); i++) {
      byte[] s = streams.get(i);
      for (int j = 0; j < pages[i].length; j++) {
        int n = Math.min(pageSize, s.length - j * pageSize);
        out.put(pages[i][j] * pageSize, s, j * pageSize, n);
      }
    }
    ByteBuffer dir = ByteBuffer.allocate(dirSize).order(ByteOrder.LITTLE_ENDIAN);
    dir.putInt(streams.size());
    for (byte[] s : streams) dir.putInt(s == null ? -1 : s.length);
    for (int[] p : pages) for (int pg : p) dir.putInt(pg);
    for (int i = 0; i < dirPages; i++) {
      int n = Math.min(pageSize, dirSize - i * pageSize);
      out.put((firstDirPage + i) * pageSize, dir.array(), i * pageSize, n);
      out.putInt(firstListPage * pageSize + 4 * i, firstDirPage + i);
    }
    return out.array();
  }
}
