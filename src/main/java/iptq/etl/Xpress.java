package iptq.etl;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * The LZ77+Huffman ("Xpress Huffman") format of [MS-XCA] sections 2.1 and 2.2, which compressed
 * ETW sessions use for their buffers. Both directions: the reader decompresses, the writer
 * compresses so that tests and samples can make compressed files.
 */
public final class Xpress {
  private Xpress() {}

  /** Compressed data that cannot be decoded. */
  public static final class CorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptException(String what) {
      super(what);
    }
  }

  private static final int TABLE_BITS = 15;
  private static final int BLOCK = 65536;

  /**
   * Decompresses {@code in[inOff, inOff+inLen)} into exactly {@code outLen} bytes of {@code out}.
   * Work is bounded by {@code outLen} (every symbol writes at least one byte).
   */
  public static void decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen)
      throws CorruptException {
    int inEnd = inOff + inLen;
    int pos = inOff;
    int op = outOff;
    int outEnd = outOff + outLen;
    short[] table = new short[1 << TABLE_BITS];
    byte[] lengths = new byte[512];
    while (op < outEnd) {
      if (inEnd - pos < 256) throw new CorruptException("input ends before a Huffman table");
      for (int i = 0; i < 256; i++) {
        int b = in[pos + i] & 0xFF;
        lengths[2 * i] = (byte) (b & 0xF);
        lengths[2 * i + 1] = (byte) (b >>> 4);
      }
      buildTable(lengths, table);
      pos += 256;
      long bits = ((long) u16(in, pos, inEnd) << 16) | u16(in, pos + 2, inEnd);
      pos += 4;
      int extra = 16;
      int blockEnd = Math.min(outEnd, op + BLOCK);
      while (op < blockEnd) {
        int sym = table[(int) ((bits >>> 17) & 0x7FFF)];
        int len = lengths[sym];
        bits = (bits << len) & 0xFFFFFFFFL;
        extra -= len;
        if (extra < 0) {
          bits |= (long) u16(in, pos, inEnd) << -extra;
          extra += 16;
          pos += 2;
        }
        if (sym < 256) {
          out[op++] = (byte) sym;
          continue;
        }
        sym -= 256;
        int matchLen = sym & 15;
        int offBits = sym >>> 4;
        if (matchLen == 15) {
          if (pos >= inEnd) throw new CorruptException("input ends inside a match length");
          matchLen = in[pos++] & 0xFF;
          if (matchLen == 255) {
            if (pos + 2 > inEnd) throw new CorruptException("input ends inside a match length");
            matchLen = u16(in, pos, inEnd);
            pos += 2;
            if (matchLen == 0) {
              if (pos + 4 > inEnd) throw new CorruptException("input ends inside a match length");
              long l = (in[pos] & 0xFFL) | (in[pos + 1] & 0xFFL) << 8 | (in[pos + 2] & 0xFFL) << 16
                  | (in[pos + 3] & 0xFFL) << 24;
              pos += 4;
              if (l < 15 || l > Integer.MAX_VALUE) throw new CorruptException("bad match length");
              matchLen = (int) l;
            }
            if (matchLen < 15) throw new CorruptException("bad match length");
            matchLen -= 15;
          }
          matchLen += 15;
        }
        matchLen += 3;
        int offset = (int) (offBits == 0 ? 0 : bits >>> (32 - offBits)) + (1 << offBits);
        bits = (bits << offBits) & 0xFFFFFFFFL;
        extra -= offBits;
        if (extra < 0) {
          bits |= (long) u16(in, pos, inEnd) << -extra;
          extra += 16;
          pos += 2;
        }
        if (offset > op - outOff) throw new CorruptException("match reaches before the start of the output");
        if (matchLen > outEnd - op) throw new CorruptException("match runs past the expected size");
        int from = op - offset;
        for (int i = 0; i < matchLen; i++) out[op++] = out[from + i];
      }
      if (pos > inEnd + 4) throw new CorruptException("input ends before the expected size was written");
    }
  }

  private static int u16(byte[] in, int pos, int end) throws CorruptException {
    // The bit reader looks up to 4 bytes ahead of what it consumes; reading past the end yields
    // zeros, and the caller checks that the overrun stayed within that look-ahead.
    if (pos + 2 > end) {
      if (pos > end + 4) throw new CorruptException("input ends inside the bit stream");
      return pos < end ? in[pos] & 0xFF : 0;
    }
    return (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
  }

  private static void buildTable(byte[] lengths, short[] table) throws CorruptException {
    int entry = 0;
    for (int bitLen = 1; bitLen <= 15; bitLen++) {
      int count = 1 << (15 - bitLen);
      for (int sym = 0; sym < 512; sym++) {
        if (lengths[sym] != bitLen) continue;
        if (entry + count > table.length) throw new CorruptException("Huffman code is over-subscribed");
        Arrays.fill(table, entry, entry + count, (short) sym);
        entry += count;
      }
    }
    if (entry != table.length) throw new CorruptException("Huffman code is incomplete");
  }

  // ---------------------------------------------------------------- compression

  /** Compresses {@code in[off, off+len)}; the result decompresses with {@link #decompress}. */
  public static byte[] compress(byte[] in, int off, int len) {
    Out o = new Out(len + len / 8 + 600);
    int end = off + len;
    int[] head = new int[1 << 15];
    Arrays.fill(head, -1);
    int[] prev = new int[Math.max(len, 1)];
    for (int blockStart = off; blockStart < end || (len == 0 && blockStart == off); blockStart += BLOCK) {
      int blockEnd = Math.min(end, blockStart + BLOCK);
      boolean last = blockEnd == end;
      // LZ77 pass: a list of tokens (literal: value < 256; match: length, distance).
      int[] tok = new int[(blockEnd - blockStart) * 2 + 2];
      int nt = 0;
      int[] freq = new int[512];
      int p = blockStart;
      while (p < blockEnd) {
        int bestLen = 0;
        int bestDist = 0;
        if (p + 3 <= blockEnd) {
          int h = hash(in, p);
          int cand = head[h];
          int chain = 16;
          while (cand >= 0 && p - cand <= 65535 && chain-- > 0) {
            int l = 0;
            int max = blockEnd - p;
            while (l < max && in[cand + l] == in[p + l]) l++;
            if (l > bestLen) {
              bestLen = l;
              bestDist = p - cand;
              if (l == max) break;
            }
            cand = prev[cand - off];
          }
        }
        if (bestLen >= 3) {
          tok[nt++] = 256 | (bestLen << 9);
          tok[nt++] = bestDist;
          int l3 = bestLen - 3;
          freq[256 + Math.min(l3, 15) + 16 * highBit(bestDist)]++;
          for (int i = 0; i < bestLen; i++, p++) insert(in, p, end, off, head, prev);
        } else {
          tok[nt++] = in[p] & 0xFF;
          freq[in[p] & 0xFF]++;
          insert(in, p, end, off, head, prev);
          p++;
        }
      }
      if (last) freq[256]++;
      byte[] lens = huffmanLengths(freq);
      int[] codes = canonicalCodes(lens);
      for (int i = 0; i < 256; i++) o.put(lens[2 * i] | lens[2 * i + 1] << 4);
      o.startBits();
      for (int i = 0; i < nt; i++) {
        int t = tok[i];
        if (t < 256) {
          o.bits(lens[t], codes[t]);
          continue;
        }
        int mlen = t >>> 9;
        int dist = tok[++i];
        int hb = highBit(dist);
        int l3 = mlen - 3;
        int sym = 256 + Math.min(l3, 15) + 16 * hb;
        o.bits(lens[sym], codes[sym]);
        if (l3 >= 15) {
          int rest = l3 - 15;
          if (rest < 255) {
            o.putInline(rest);
          } else {
            o.putInline(255);
            int full = rest + 15;
            if (full < 65536) {
              o.putInline(full & 0xFF);
              o.putInline(full >>> 8);
            } else {
              o.putInline(0);
              o.putInline(0);
              for (int s = 0; s < 32; s += 8) o.putInline((full >>> s) & 0xFF);
            }
          }
        }
        o.bits(hb, dist - (1 << hb));
      }
      if (last) o.bits(lens[256], codes[256]);
      o.flushBits();
      if (len == 0) break;
    }
    return Arrays.copyOf(o.buf, o.pos);
  }

  private static int hash(byte[] in, int p) {
    int v = (in[p] & 0xFF) << 16 | (in[p + 1] & 0xFF) << 8 | (in[p + 2] & 0xFF);
    return (v * 0x9E3779B1) >>> 17;
  }

  private static void insert(byte[] in, int p, int end, int off, int[] head, int[] prev) {
    if (p + 3 > end) return;
    int h = hash(in, p);
    prev[p - off] = head[h];
    head[h] = p;
  }

  private static int highBit(int v) {
    return 31 - Integer.numberOfLeadingZeros(v);
  }

  /** Huffman code lengths limited to 15 bits; the code is always complete (at least two symbols). */
  static byte[] huffmanLengths(int[] freqIn) {
    int[] freq = freqIn.clone();
    int used = 0;
    for (int f : freq) if (f > 0) used++;
    // A complete code needs two symbols at least; give unused ones a count of one.
    for (int s = 0; used < 2; s++) {
      if (freq[s] == 0) {
        freq[s] = 1;
        used++;
      }
    }
    while (true) {
      byte[] lens = new byte[512];
      int n = 512;
      long[] weight = new long[2 * n];
      int[] parent = new int[2 * n];
      PriorityQueue<long[]> pq = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
          : Long.compare(a[1], b[1]));
      for (int s = 0; s < n; s++) {
        if (freq[s] > 0) {
          weight[s] = freq[s];
          pq.add(new long[] {freq[s], s});
        }
      }
      int next = n;
      while (pq.size() > 1) {
        long[] a = pq.poll();
        long[] b = pq.poll();
        int node = next++;
        weight[node] = a[0] + b[0];
        parent[(int) a[1]] = node;
        parent[(int) b[1]] = node;
        pq.add(new long[] {weight[node], node});
      }
      int root = next - 1;
      int max = 0;
      for (int s = 0; s < n; s++) {
        if (freq[s] == 0) continue;
        int d = 0;
        for (int x = s; x != root; x = parent[x]) d++;
        lens[s] = (byte) d;
        max = Math.max(max, d);
      }
      if (max <= 15) return lens;
      for (int s = 0; s < n; s++) if (freq[s] > 0) freq[s] = (freq[s] >>> 1) | 1;
    }
  }

  static int[] canonicalCodes(byte[] lens) {
    int[] codes = new int[512];
    int code = 0;
    for (int bitLen = 1; bitLen <= 15; bitLen++) {
      for (int s = 0; s < 512; s++) {
        if (lens[s] == bitLen) codes[s] = code++;
      }
      code <<= 1;
    }
    return codes;
  }

  /** The bit writer of [MS-XCA] 2.1.4.3: 16-bit words reserved ahead, extra bytes inline. */
  private static final class Out {
    byte[] buf;
    int pos;
    int freeBits;
    int nextWord;
    int pos1;
    int pos2;

    Out(int cap) {
      buf = new byte[cap];
    }

    void ensure(int n) {
      if (pos + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }

    void put(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void startBits() {
      ensure(4);
      freeBits = 16;
      nextWord = 0;
      pos1 = pos;
      pos2 = pos + 2;
      pos += 4;
    }

    void putInline(int b) {
      put(b);
    }

    void bits(int n, int value) {
      if (n == 0) return;
      if (freeBits >= n) {
        freeBits -= n;
        nextWord = (nextWord << n) + value;
      } else {
        nextWord = (nextWord << freeBits) + (value >>> (n - freeBits));
        freeBits -= n;
        buf[pos1] = (byte) nextWord;
        buf[pos1 + 1] = (byte) (nextWord >>> 8);
        pos1 = pos2;
        ensure(2);
        pos2 = pos;
        pos += 2;
        freeBits += 16;
        nextWord = value;
      }
    }

    void flushBits() {
      nextWord <<= freeBits;
      buf[pos1] = (byte) nextWord;
      buf[pos1 + 1] = (byte) (nextWord >>> 8);
      buf[pos2] = 0;
      buf[pos2 + 1] = 0;
    }
  }
}
