package iptq.image;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A user-mode minidump (MDMP) as the Windows debuggers, procdump and WER write it: the header, the
 * stream directory, and the streams iptq needs (modules with their CodeView records, memory
 * ranges, threads, system and process information). Every size and count in the file is checked
 * against the file before it is used.
 */
public final class Minidump implements Closeable {
  public static final int SIGNATURE = 0x504D444D; // "MDMP"
  public static final int VERSION = 0xA793;

  public static final int THREAD_LIST = 3;
  public static final int MODULE_LIST = 4;
  public static final int MEMORY_LIST = 5;
  public static final int EXCEPTION = 6;
  public static final int SYSTEM_INFO = 7;
  public static final int MEMORY64_LIST = 9;
  public static final int MISC_INFO = 15;
  public static final int MEMORY_INFO_LIST = 16;

  static final int MODULE_SIZE = 108;
  static final int THREAD_SIZE = 48;
  static final int MEMORY_DESCRIPTOR_SIZE = 16;

  /** One stream directory entry. */
  public record Stream(int type, long dataSize, long rva) {}

  /** A module: where it was loaded, its identity, and the key to its PDB (null when absent). */
  public record Module(long base, long size, long checkSum, long timeDateStamp, String name,
      CodeViewRecord codeView) {
    public long end() {
      return base + size;
    }
  }

  /** Bytes of the process's memory at {@code [start, start + size)}, stored at {@code fileOffset}. */
  public record MemoryRange(long start, long size, long fileOffset) {
    public long end() {
      return start + size;
    }
  }

  /** A thread; {@code rip}/{@code rsp} are from its AMD64 context, or 0 when there is none. */
  public record ThreadInfo(long threadId, long teb, long stackStart, long stackSize, long rip, long rsp) {}

  /** The SystemInfo stream: {@code processorArchitecture} 9 is AMD64, 0 x86, 12 ARM64. */
  public record SystemInfo(int processorArchitecture, int processorLevel, int processorRevision,
      int numberOfProcessors, int productType, long majorVersion, long minorVersion,
      long buildNumber, long platformId) {}

  /** The MiscInfo stream's leading fields; absent ones (by Flags1) are -1. */
  public record MiscInfo(long sizeOfInfo, long flags1, long processId, long processCreateTime,
      long processUserTime, long processKernelTime, long processorMaxMhz, long processorCurrentMhz) {}

  private final BinFile file;
  private final long version;
  private final long checkSum;
  private final long timeDateStamp;
  private final long flags;
  private final List<Stream> streams;
  private final List<Module> modules;
  private final List<MemoryRange> memory;
  private final List<ThreadInfo> threads;
  private final SystemInfo systemInfo;
  private final MiscInfo miscInfo;

  private Minidump(BinFile f) {
    this.file = f;
    if (f.size() < 32) throw f.error(0, "a minidump needs a 32-byte header; the file has " + f.size() + " bytes");
    if (f.u32(0, "signature") != (SIGNATURE & 0xFFFFFFFFL)) throw f.error(0, "not a minidump (no MDMP signature)");
    version = f.u32(4, "version");
    if ((version & 0xFFFF) != VERSION) {
      throw f.error(4, "minidump version 0x" + Long.toHexString(version) + " (low 16 bits must be 0xa793)");
    }
    long n = f.u32(8, "NumberOfStreams");
    long dirRva = f.u32(12, "StreamDirectoryRva");
    checkSum = f.u32(16, "CheckSum");
    timeDateStamp = f.u32(20, "TimeDateStamp");
    flags = f.u64(24, "Flags");
    if (dirRva < 32 && n > 0) throw f.error(12, "stream directory at 0x" + Long.toHexString(dirRva) + " overlaps the header");
    f.check(dirRva, n * 12, "stream directory of " + n + " entries");
    List<Stream> s = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long at = dirRva + 12L * i;
      int type = (int) f.u32(at, "stream type");
      long size = f.u32(at + 4, "stream DataSize");
      long rva = f.u32(at + 8, "stream Rva");
      // UnusedStream (type 0) entries are counted but their size and place mean nothing.
      if (type != 0 && !f.contains(rva, size)) {
        throw f.error(at, "stream " + i + " (type 0x" + Integer.toHexString(type) + ") of " + size + " bytes at 0x"
            + Long.toHexString(rva) + " lies past the end of the file (" + f.size() + " bytes)");
      }
      s.add(new Stream(type, size, rva));
    }
    streams = Collections.unmodifiableList(s);
    systemInfo = parseSystemInfo();
    miscInfo = parseMiscInfo();
    modules = parseModules();
    memory = parseMemory();
    threads = parseThreads();
  }

  public static Minidump open(Path path) {
    BinFile f = BinFile.open(path);
    try {
      return new Minidump(f);
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  public static Minidump of(Path name, byte[] data) {
    return new Minidump(BinFile.of(name, data));
  }

  private Stream stream(int type) {
    for (Stream s : streams) if (s.type() == type) return s;
    return null;
  }

  /**
   * The offset of a list stream's first entry: after the u32 count, or after 4 bytes of padding
   * that some writers add. The count is checked against the stream's size.
   */
  private long listStart(Stream s, long count, int entrySize, String what) {
    long need = count * entrySize;
    if (s.dataSize() >= 4 + need && s.dataSize() < 8 + need) return s.rva() + 4;
    if (s.dataSize() >= 8 + need && s.dataSize() - 8 - need < entrySize) return s.rva() + 8;
    if (s.dataSize() >= 4 + need) return s.rva() + 4;
    throw file.error(s.rva(), what + " count " + count + " needs " + (4 + need)
        + " bytes but the stream holds " + s.dataSize());
  }

  private List<Module> parseModules() {
    Stream s = stream(MODULE_LIST);
    if (s == null) return List.of();
    long count = file.u32(s.rva(), "ModuleList count");
    long at = listStart(s, count, MODULE_SIZE, "ModuleList");
    List<Module> out = new ArrayList<>();
    for (long i = 0; i < count; i++, at += MODULE_SIZE) {
      long base = file.u64(at, "BaseOfImage");
      long size = file.u32(at + 8, "SizeOfImage");
      long sum = file.u32(at + 12, "CheckSum");
      long stamp = file.u32(at + 16, "TimeDateStamp");
      long nameRva = file.u32(at + 20, "ModuleNameRva");
      long nameLen = file.u32(nameRva, "module name length");
      if (nameLen > 0x10000) throw file.error(nameRva, "module name of " + nameLen + " bytes is too long");
      String name = file.utf16(nameRva + 4, (int) nameLen, "module name");
      long cvSize = file.u32(at + 76, "CvRecord DataSize");
      long cvRva = file.u32(at + 80, "CvRecord Rva");
      CodeViewRecord cv = null;
      if (cvSize > 0) {
        file.check(cvRva, cvSize, "CodeView record of module " + name);
        cv = CodeViewRecord.parse(file, cvRva, cvSize);
      }
      out.add(new Module(base, size, sum, stamp, name, cv));
    }
    return Collections.unmodifiableList(out);
  }

  private List<MemoryRange> parseMemory() {
    List<MemoryRange> out = new ArrayList<>();
    Stream s = stream(MEMORY_LIST);
    if (s != null) {
      long count = file.u32(s.rva(), "MemoryList count");
      long at = listStart(s, count, MEMORY_DESCRIPTOR_SIZE, "MemoryList");
      for (long i = 0; i < count; i++, at += MEMORY_DESCRIPTOR_SIZE) {
        long start = file.u64(at, "StartOfMemoryRange");
        long size = file.u32(at + 8, "memory DataSize");
        long rva = file.u32(at + 12, "memory Rva");
        if (!file.contains(rva, size)) {
          throw file.error(at, "memory range " + i + " of " + size + " bytes at 0x" + Long.toHexString(rva)
              + " lies past the end of the file (" + file.size() + " bytes)");
        }
        out.add(new MemoryRange(start, size, rva));
      }
    }
    Stream s64 = stream(MEMORY64_LIST);
    if (s64 != null) {
      if (s64.dataSize() < 16) throw file.error(s64.rva(), "Memory64List stream of " + s64.dataSize() + " bytes is too short");
      long count = file.u64(s64.rva(), "NumberOfMemoryRanges");
      if (count < 0 || count > (s64.dataSize() - 16) / MEMORY_DESCRIPTOR_SIZE) {
        throw file.error(s64.rva(), "Memory64List count " + Long.toUnsignedString(count) + " needs "
            + "more than the " + s64.dataSize() + " bytes the stream holds");
      }
      long rva = file.u64(s64.rva() + 8, "BaseRva");
      long at = s64.rva() + 16;
      for (long i = 0; i < count; i++, at += MEMORY_DESCRIPTOR_SIZE) {
        long start = file.u64(at, "StartOfMemoryRange");
        long size = file.u64(at + 8, "memory DataSize");
        if (!file.contains(rva, size)) {
          throw file.error(at, "memory range " + i + " of " + Long.toUnsignedString(size) + " bytes at 0x"
              + Long.toHexString(rva) + " lies past the end of the file (" + file.size() + " bytes)");
        }
        out.add(new MemoryRange(start, size, rva));
        rva += size;
      }
    }
    out.sort(Comparator.comparing(MemoryRange::start, Long::compareUnsigned));
    return Collections.unmodifiableList(out);
  }

  private List<ThreadInfo> parseThreads() {
    Stream s = stream(THREAD_LIST);
    if (s == null) return List.of();
    long count = file.u32(s.rva(), "ThreadList count");
    long at = listStart(s, count, THREAD_SIZE, "ThreadList");
    boolean amd64 = systemInfo == null || systemInfo.processorArchitecture() == 9;
    List<ThreadInfo> out = new ArrayList<>();
    for (long i = 0; i < count; i++, at += THREAD_SIZE) {
      long id = file.u32(at, "ThreadId");
      long teb = file.u64(at + 16, "Teb");
      long stackStart = file.u64(at + 24, "stack StartOfMemoryRange");
      long stackSize = file.u32(at + 32, "stack DataSize");
      long ctxSize = file.u32(at + 40, "ThreadContext DataSize");
      long ctxRva = file.u32(at + 44, "ThreadContext Rva");
      long rip = 0, rsp = 0;
      if (amd64 && ctxSize >= 0x100) {
        file.check(ctxRva, ctxSize, "thread " + id + " context");
        rsp = file.u64(ctxRva + 0x98, "context Rsp");
        rip = file.u64(ctxRva + 0xF8, "context Rip");
      }
      out.add(new ThreadInfo(id, teb, stackStart, stackSize, rip, rsp));
    }
    return Collections.unmodifiableList(out);
  }

  private SystemInfo parseSystemInfo() {
    Stream s = stream(SYSTEM_INFO);
    if (s == null) return null;
    if (s.dataSize() < 24) throw file.error(s.rva(), "SystemInfo stream of " + s.dataSize() + " bytes is too short");
    long r = s.rva();
    return new SystemInfo(file.u16(r, "ProcessorArchitecture"), file.u16(r + 2, "ProcessorLevel"),
        file.u16(r + 4, "ProcessorRevision"), file.u8(r + 6, "NumberOfProcessors"),
        file.u8(r + 7, "ProductType"), file.u32(r + 8, "MajorVersion"), file.u32(r + 12, "MinorVersion"),
        file.u32(r + 16, "BuildNumber"), file.u32(r + 20, "PlatformId"));
  }

  private MiscInfo parseMiscInfo() {
    Stream s = stream(MISC_INFO);
    if (s == null) return null;
    if (s.dataSize() < 24) throw file.error(s.rva(), "MiscInfo stream of " + s.dataSize() + " bytes is too short");
    long r = s.rva();
    long size = Math.min(file.u32(r, "SizeOfInfo"), s.dataSize());
    long fl = file.u32(r + 4, "Flags1");
    boolean pid = (fl & 1) != 0, times = (fl & 2) != 0, power = (fl & 4) != 0 && size >= 44;
    return new MiscInfo(size, fl,
        pid ? file.u32(r + 8, "ProcessId") : -1,
        times ? file.u32(r + 12, "ProcessCreateTime") : -1,
        times ? file.u32(r + 16, "ProcessUserTime") : -1,
        times ? file.u32(r + 20, "ProcessKernelTime") : -1,
        power ? file.u32(r + 24, "ProcessorMaxMhz") : -1,
        power ? file.u32(r + 28, "ProcessorCurrentMhz") : -1);
  }

  public BinFile file() {
    return file;
  }

  public Path path() {
    return file.path();
  }

  public long version() {
    return version;
  }

  public long checkSum() {
    return checkSum;
  }

  public long timeDateStamp() {
    return timeDateStamp;
  }

  public long flags() {
    return flags;
  }

  public List<Stream> streams() {
    return streams;
  }

  public List<Module> modules() {
    return modules;
  }

  /** All memory ranges (MemoryList and Memory64List), sorted by address. */
  public List<MemoryRange> memory() {
    return memory;
  }

  public List<ThreadInfo> threads() {
    return threads;
  }

  /** Null when the dump has no SystemInfo stream. */
  public SystemInfo systemInfo() {
    return systemInfo;
  }

  /** Null when the dump has no MiscInfo stream. */
  public MiscInfo miscInfo() {
    return miscInfo;
  }

  /** The module holding {@code address}, or null. */
  public Module moduleAt(long address) {
    for (Module m : modules) {
      if (Long.compareUnsigned(address, m.base()) >= 0 && Long.compareUnsigned(address - m.base(), m.size()) < 0) return m;
    }
    return null;
  }

  @Override
  public void close() {
    file.close();
  }
}
