package iptq.flow;

import iptq.image.CodeImage;
import iptq.image.PeFile;
import iptq.image.RawImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Real compiled code for the synthesizer to walk: the executable section of a real binary (an
 * ELF shared library's .text, a PE file's .text) mapped at an address, with the function starts
 * the binary itself declares (ELF FUNC symbols, PE .pdata entries), which serve as targets of
 * indirect branches, interrupts and re-enables.
 */
final class CodeCorpus {
  /** One mapped code section; {@code bits} is 64 or 32 (the execution mode it runs in). */
  record Region(String name, Path file, long fileOffset, long address, byte[] bytes, int bits, long[] functions) {
    long end() {
      return address + bytes.length;
    }

    boolean contains(long ip) {
      return Long.compareUnsigned(ip, address) >= 0 && Long.compareUnsigned(ip, end()) < 0;
    }

    /** The section as libipt's harness and iptq's --image take it: FILE@ADDR@OFFSET@SIZE. */
    String spec() {
      return file + "@0x" + Long.toHexString(address) + "@0x" + Long.toHexString(fileOffset) + "@0x"
          + Long.toHexString(bytes.length);
    }
  }

  final List<Region> regions;

  CodeCorpus(List<Region> regions) {
    this.regions = List.copyOf(regions);
  }

  Region regionOf(long ip) {
    for (Region r : regions) if (r.contains(ip)) return r;
    return null;
  }

  /** The regions as a code image: the one `--image FILE@ADDR@OFFSET@SIZE` builds, from {@link #specs()}. */
  CodeImage image() {
    return RawImage.of(specs());
  }

  List<String> specs() {
    List<String> out = new ArrayList<>();
    for (Region r : regions) out.add(r.spec());
    return out;
  }

  /** The .text of an ELF file (32- or 64-bit), its FUNC symbols as function starts. */
  static Region elfText(Path file, long base) {
    ByteBuffer b = map(file);
    if (b.getInt(0) != 0x464c457f) throw new IllegalArgumentException(file + " is not ELF");
    boolean is64 = b.get(4) == 2;
    long shoff = is64 ? b.getLong(0x28) : Integer.toUnsignedLong(b.getInt(0x20));
    int shentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x3a : 0x2e));
    int shnum = Short.toUnsignedInt(b.getShort(is64 ? 0x3c : 0x30));
    int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? 0x3e : 0x32));
    long[][] sh = new long[shnum][];
    for (int i = 0; i < shnum; i++) {
      int o = (int) (shoff + (long) i * shentsize);
      sh[i] = is64
          ? new long[] {b.getInt(o), b.getInt(o + 4), b.getLong(o + 0x10), b.getLong(o + 0x18), b.getLong(o + 0x20), b.getInt(o + 0x28), b.getLong(o + 0x38)}
          : new long[] {b.getInt(o), b.getInt(o + 4), u32(b, o + 0x0c), u32(b, o + 0x10), u32(b, o + 0x14), b.getInt(o + 0x18), u32(b, o + 0x24)};
      // name, type, addr, offset, size, link, entsize
    }
    long strOff = sh[shstrndx][3];
    int text = -1;
    for (int i = 0; i < shnum; i++) if (cstr(b, strOff + sh[i][0]).equals(".text")) text = i;
    if (text < 0) throw new IllegalArgumentException(file + " has no .text");
    long tAddr = sh[text][2], tOff = sh[text][3], tSize = sh[text][4];
    List<Long> funcs = new ArrayList<>();
    for (int i = 0; i < shnum; i++) {
      int type = (int) sh[i][1];
      if (type != 2 && type != 11) continue; // SYMTAB, DYNSYM
      long symStr = sh[(int) sh[i][5]][3];
      int ent = is64 ? 24 : 16;
      for (long o = sh[i][3]; o + ent <= sh[i][3] + sh[i][4]; o += ent) {
        int info = Byte.toUnsignedInt(b.get((int) o + (is64 ? 4 : 12)));
        long value = is64 ? b.getLong((int) o + 8) : u32(b, (int) o + 4);
        if ((info & 0xf) == 2 && value >= tAddr && value < tAddr + tSize) funcs.add(base + value);
      }
    }
    byte[] bytes = new byte[(int) tSize];
    b.get((int) tOff, bytes);
    return new Region(file.getFileName() + ":.text", file, tOff, base + tAddr, bytes, is64 ? 64 : 32, sortedUnique(funcs));
  }

  /** The .text of a PE32+ file mapped at {@code imageBase}, function starts from .pdata. */
  static Region peText(Path file, long imageBase) {
    try (PeFile pe = PeFile.open(file)) {
      PeFile.Section text = null;
      for (PeFile.Section sec : pe.sections()) if (sec.name().equals(".text")) text = sec;
      if (text == null) throw new IllegalArgumentException(file + " has no .text");
      long tRva = text.virtualAddress();
      int tSize = (int) Math.min(text.virtualSize(), text.sizeOfRawData());
      List<Long> funcs = new ArrayList<>();
      long excRva = pe.directoryRva(PeFile.DIR_EXCEPTION), excSize = pe.directorySize(PeFile.DIR_EXCEPTION);
      if (excSize > 0) {
        long exc = pe.offsetOf(excRva, excSize, ".pdata");
        for (long o = exc; o + 12 <= exc + excSize; o += 12) { // RUNTIME_FUNCTION: begin, end, unwind
          long begin = pe.file().u32(o, "function start");
          if (begin >= tRva && begin < tRva + tSize) funcs.add(imageBase + begin);
        }
      }
      byte[] bytes = pe.file().bytes(text.pointerToRawData(), tSize, ".text");
      return new Region(file.getFileName() + ":.text", file, text.pointerToRawData(), imageBase + tRva, bytes,
          pe.isPe32Plus() ? 64 : 32, sortedUnique(funcs));
    }
  }

  private static long[] sortedUnique(List<Long> l) {
    return l.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
  }

  private static long u32(ByteBuffer b, int o) {
    return Integer.toUnsignedLong(b.getInt(o));
  }

  private static String cstr(ByteBuffer b, long o) {
    StringBuilder sb = new StringBuilder();
    for (int i = (int) o; b.get(i) != 0; i++) sb.append((char) b.get(i));
    return sb.toString();
  }

  private static ByteBuffer map(Path file) {
    try {
      return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return Arrays.toString(regions.stream().map(r -> r.name() + "@" + Long.toHexString(r.address())).toArray());
  }
}
