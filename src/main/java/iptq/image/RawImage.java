package iptq.image;

import iptq.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw bytes mapped at addresses, as libipt's {@code ptxed --raw FILE:ADDR} does: the simplest
 * code source, for traces whose code is already laid out (tests, firmware, extracted sections).
 * Sections are sorted and non-overlapping; later ones win where they overlap earlier ones is
 * not supported: overlap is refused so that a lookup is unambiguous.
 */
public final class RawImage implements CodeImage {
  /** One contiguous range of code: {@code bytes} at {@code [start, start + bytes.length)}. */
  public record Section(long start, byte[] bytes, String name) {
    public long end() {
      return start + bytes.length;
    }
  }

  private final Section[] sections;
  private final long[] starts;

  public RawImage(List<Section> list) {
    Section[] s = list.toArray(new Section[0]);
    Arrays.sort(s, (a, b) -> Long.compareUnsigned(a.start(), b.start())); // kernel addresses sort last
    for (int i = 1; i < s.length; i++) {
      if (Long.compareUnsigned(s[i].start(), s[i - 1].end()) < 0) {
        throw new IllegalArgumentException(
            s[i].name() + " at 0x" + Long.toHexString(s[i].start()) + " overlaps " + s[i - 1].name());
      }
    }
    this.sections = s;
    this.starts = new long[s.length];
    for (int i = 0; i < s.length; i++) starts[i] = s[i].start();
  }

  /**
   * Parses {@code FILE@ADDR} or {@code FILE@ADDR@OFFSET@SIZE} (numbers in hex with 0x, or
   * decimal) and reads that part of the file.
   */
  public static Section parseSpec(String spec) {
    String[] parts = spec.split("@");
    if (parts.length != 2 && parts.length != 4) {
      throw new InputException(null, -1, "--image " + spec + ": expected FILE@ADDR or FILE@ADDR@OFFSET@SIZE");
    }
    Path file = Path.of(parts[0]);
    long addr = parseNumber(spec, parts[1]);
    try {
      long fileSize = Files.size(file);
      long offset = parts.length == 4 ? parseNumber(spec, parts[2]) : 0;
      long size = parts.length == 4 ? parseNumber(spec, parts[3]) : fileSize - offset;
      if (offset < 0 || size < 0 || offset + size > fileSize) {
        throw new InputException(file, offset, "--image range of " + size + " bytes lies outside the file (" + fileSize + " bytes)");
      }
      if (size > Integer.MAX_VALUE - 8) {
        throw new InputException(file, offset, "--image section of " + size + " bytes is larger than 2 GiB");
      }
      byte[] bytes = new byte[(int) size];
      try (var ch = java.nio.channels.FileChannel.open(file)) {
        var buf = java.nio.ByteBuffer.wrap(bytes);
        long pos = offset;
        while (buf.hasRemaining()) {
          int n = ch.read(buf, pos);
          if (n < 0) throw new InputException(file, pos, "file ended while reading --image bytes");
          pos += n;
        }
      }
      return new Section(addr, bytes, file.getFileName().toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(file, -1, "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long parseNumber(String spec, String s) {
    try {
      return s.startsWith("0x") || s.startsWith("0X")
          ? Long.parseUnsignedLong(s.substring(2), 16)
          : Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new InputException(null, -1, "--image " + spec + ": '" + s + "' is not a number");
    }
  }

  private Section find(long address) {
    int hit = Addresses.floor(starts, address);
    if (hit < 0) return null;
    Section s = sections[hit];
    return Long.compareUnsigned(address, s.end()) < 0 ? s : null;
  }

  @Override
  public int read(long asid, long address, byte[] dst, int off, int len) {
    Section s = find(address);
    if (s == null) return 0;
    int from = (int) (address - s.start());
    int n = Math.min(len, s.bytes().length - from);
    System.arraycopy(s.bytes(), from, dst, off, n);
    return n;
  }

  @Override
  public String describe(long asid, long address) {
    Section s = find(address);
    return s == null ? null : s.name() + "+0x" + Long.toHexString(address - s.start());
  }

  public List<Section> sections() {
    return List.of(sections);
  }

  public static RawImage of(List<String> specs) {
    List<Section> list = new ArrayList<>();
    for (String spec : specs) list.add(parseSpec(spec));
    return new RawImage(list);
  }

  /** Raw sections ignore address spaces, as ptxed maps them. */
  @Override
  public boolean sameInEveryAddressSpace(long address) {
    return true;
  }
}
