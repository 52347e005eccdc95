package iptq.x86;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The executable sections of ELF files: the oracle test's and the benchmark's real code. */
public final class ElfCode {
  private ElfCode() {}

  /** One SHF_EXECINSTR section: its name, load address and bytes. */
  public record Section(Path file, String name, long address, byte[] bytes) {}

  private static final int SHF_EXECINSTR = 4;
  private static final int SHT_PROGBITS = 1;

  /**
   * The executable PROGBITS sections of {@code file} if it is a 64-bit little-endian ELF file
   * for {@code machine} (62 = x86-64, 3 = i386 in ELFCLASS32); empty list otherwise.
   */
  public static List<Section> sections(Path file, boolean class64, int machine) throws IOException {
    return sections(file, class64, machine, Integer.MAX_VALUE);
  }

  /** As above, reading at most {@code maxSectionBytes} of each section (its start). */
  public static List<Section> sections(Path file, boolean class64, int machine,
      int maxSectionBytes) throws IOException {
    List<Section> result = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 64) {
        return result;
      }
      ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(eh, 0);
      if (eh.getInt(0) != 0x464c457f || eh.get(4) != (class64 ? 2 : 1) || eh.get(5) != 1
          || (eh.getShort(18) & 0xffff) != machine) {
        return result;
      }
      long shoff = class64 ? eh.getLong(0x28) : eh.getInt(0x20) & 0xffffffffL;
      int shentsize = eh.getShort(class64 ? 0x3a : 0x2e) & 0xffff;
      int shnum = eh.getShort(class64 ? 0x3c : 0x30) & 0xffff;
      int shstrndx = eh.getShort(class64 ? 0x3e : 0x32) & 0xffff;
      if (shoff <= 0 || shnum == 0 || shentsize < (class64 ? 64 : 40)
          || shoff + (long) shnum * shentsize > size || shstrndx >= shnum) {
        return result;
      }
      ByteBuffer sh = ByteBuffer.allocate(shnum * shentsize).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(sh, shoff);
      long[] strtab = field(sh, shstrndx * shentsize, class64);
      byte[] names = read(ch, strtab[3], strtab[4], size);
      for (int i = 0; i < shnum; i++) {
        long[] f = field(sh, i * shentsize, class64);
        if (f[1] != SHT_PROGBITS || (f[2] & SHF_EXECINSTR) == 0 || f[4] == 0) {
          continue;
        }
        byte[] bytes = read(ch, f[3], Math.min(f[4], maxSectionBytes), size);
        if (bytes == null) {
          continue;
        }
        result.add(new Section(file, cName(names, (int) f[0]), f[5], bytes));
      }
    }
    return result;
  }

  /** name, type, flags, offset, size, addr. */
  private static long[] field(ByteBuffer sh, int at, boolean class64) {
    if (class64) {
      return new long[] {sh.getInt(at) & 0xffffffffL, sh.getInt(at + 4) & 0xffffffffL,
          sh.getLong(at + 8), sh.getLong(at + 24), sh.getLong(at + 32), sh.getLong(at + 16)};
    }
    return new long[] {sh.getInt(at) & 0xffffffffL, sh.getInt(at + 4) & 0xffffffffL,
        sh.getInt(at + 8) & 0xffffffffL, sh.getInt(at + 16) & 0xffffffffL,
        sh.getInt(at + 20) & 0xffffffffL, sh.getInt(at + 12) & 0xffffffffL};
  }

  private static byte[] read(FileChannel ch, long off, long len, long size) throws IOException {
    if (off < 0 || len < 0 || len > (1 << 30) || off + len > size) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate((int) len);
    while (b.hasRemaining()) {
      if (ch.read(b, off + b.position()) < 0) {
        return null;
      }
    }
    return b.array();
  }

  private static String cName(byte[] names, int at) {
    if (names == null || at < 0 || at >= names.length) {
      return "?";
    }
    int end = at;
    while (end < names.length && names[end] != 0) {
      end++;
    }
    return new String(names, at, end - at, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Files with real x86-64 code, in a fixed order: a few code-rich libraries first (glibc's
   * string functions have the AVX2/AVX-512 variants), then every regular file of /usr/lib by
   * path. Callers read the ELF ones and stop when they have enough.
   */
  public static List<Path> realFiles() throws IOException {
    java.util.LinkedHashSet<Path> files = new java.util.LinkedHashSet<>();
    for (String first : new String[] {"x86_64-linux-gnu/libc.so.6", "x86_64-linux-gnu/libm.so.6",
        "x86_64-linux-gnu/libcrypto.so.3", "x86_64-linux-gnu/libstdc++.so.6"}) {
      Path p = Path.of("/usr/lib", first);
      if (Files.isRegularFile(p)) {
        files.add(p.toRealPath());
      }
    }
    files.addAll(files(Path.of("/usr/lib")));
    return new ArrayList<>(files);
  }

  /** Regular files (no symlinks) under {@code root}, sorted by path. */
  public static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
