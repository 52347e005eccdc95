package iptq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a user-mode minidump in the layout the Windows debuggers read: SystemInfo, MiscInfo
 * (process id), ThreadList with AMD64 contexts, ModuleList with CodeView records, and the memory
 * as a Memory64List (as a full-memory dump stores it). The sample generator and tests use it to
 * hold real compiled code at the addresses a trace ran it.
 */
public final class MinidumpWriter {
  /** A module entry; {@code codeView} may be null. */
  public record ModuleSpec(String name, long base, long size, long checkSum, long timeDateStamp,
      CodeViewRecord codeView) {}

  public record ThreadSpec(long threadId, long teb, long rip, long rsp) {}

  private record Memory(long address, byte[] bytes) {}

  static final int CONTEXT_AMD64_SIZE = 0x4D0;

  private final List<ModuleSpec> modules = new ArrayList<>();
  private final List<ThreadSpec> threads = new ArrayList<>();
  private final List<Memory> memory = new ArrayList<>();
  private int architecture = 9;
  private long major = 10, minor = 0, build = 19041;
  private int processors = 1;
  private long processId = -1;
  private long timeDateStamp;

  public MinidumpWriter systemInfo(int processorArchitecture, long majorVersion, long minorVersion,
      long buildNumber, int numberOfProcessors) {
    this.architecture = processorArchitecture;
    this.major = majorVersion;
    this.minor = minorVersion;
    this.build = buildNumber;
    this.processors = numberOfProcessors;
    return this;
  }

  public MinidumpWriter processId(long pid) {
    this.processId = pid;
    return this;
  }

  public MinidumpWriter timeDateStamp(long t) {
    this.timeDateStamp = t;
    return this;
  }

  public MinidumpWriter module(ModuleSpec m) {
    modules.add(m);
    return this;
  }

  public MinidumpWriter thread(ThreadSpec t) {
    threads.add(t);
    return this;
  }

  /**
   * A module's in-memory image (relocated, imports rewritten) as a module entry with its
   * identity from the PE file, and its bytes as a memory range.
   */
  public MinidumpWriter image(String name, PeImage img) {
    PeFile pe = img.pe();
    module(new ModuleSpec(name, img.base(), img.size(), pe.checkSum(), pe.timeDateStamp(), pe.codeView()));
    return memory(img.base(), img.bytes());
  }

  /** Memory bytes at {@code address}; ranges must not overlap. */
  public MinidumpWriter memory(long address, byte[] bytes) {
    memory.add(new Memory(address, bytes.clone()));
    return this;
  }

  /** Everything before the memory bytes (which follow at the returned buffer's size). */
  private LeBuffer layout() {
    int nStreams = 5;
    LeBuffer b = new LeBuffer();
    b.reserve(32 + 12 * nStreams);
    b.u32(0, Minidump.SIGNATURE).u32(4, Minidump.VERSION).u32(8, nStreams).u32(12, 32)
        .u32(16, 0).u32(20, timeDateStamp).u64(24, 2 /* MiniDumpWithFullMemory */);
    int dir = 32;

    // SystemInfo, with an empty CSD version string.
    b.align(8);
    int si = b.reserve(56);
    int csd = b.reserve(6);
    b.u16(si, architecture).u16(si + 2, 6).u16(si + 4, 0).u8(si + 6, processors).u8(si + 7, 1)
        .u32(si + 8, major).u32(si + 12, minor).u32(si + 16, build).u32(si + 20, 2).u32(si + 24, csd);
    entry(b, dir, 0, Minidump.SYSTEM_INFO, 56, si);

    // MiscInfo (version 1: process id only).
    b.align(8);
    int mi = b.reserve(24);
    b.u32(mi, 24).u32(mi + 4, processId >= 0 ? 1 : 0).u32(mi + 8, Math.max(processId, 0));
    entry(b, dir, 1, Minidump.MISC_INFO, 24, mi);

    // ThreadList with one AMD64 CONTEXT per thread.
    b.align(8);
    int tl = b.reserve(4 + Minidump.THREAD_SIZE * threads.size());
    b.u32(tl, threads.size());
    for (int i = 0; i < threads.size(); i++) {
      ThreadSpec t = threads.get(i);
      b.align(16);
      int ctx = b.reserve(CONTEXT_AMD64_SIZE);
      b.u32(ctx + 0x30, 0x100003).u64(ctx + 0x98, t.rsp()).u64(ctx + 0xF8, t.rip());
      int e = tl + 4 + Minidump.THREAD_SIZE * i;
      b.u32(e, t.threadId()).u64(e + 16, t.teb()).u32(e + 40, CONTEXT_AMD64_SIZE).u32(e + 44, ctx);
    }
    entry(b, dir, 2, Minidump.THREAD_LIST, 4 + Minidump.THREAD_SIZE * threads.size(), tl);

    // ModuleList, then each module's name and CodeView record.
    b.align(8);
    int ml = b.reserve(4 + Minidump.MODULE_SIZE * modules.size());
    b.u32(ml, modules.size());
    for (int i = 0; i < modules.size(); i++) {
      ModuleSpec m = modules.get(i);
      int e = ml + 4 + Minidump.MODULE_SIZE * i;
      b.align(4);
      byte[] name = m.name().getBytes(StandardCharsets.UTF_16LE);
      int nameRva = b.reserve(4 + name.length + 2);
      b.u32(nameRva, name.length).put(nameRva + 4, name);
      b.u64(e, m.base()).u32(e + 8, m.size()).u32(e + 12, m.checkSum()).u32(e + 16, m.timeDateStamp())
          .u32(e + 20, nameRva).u32(e + 24, 0xFEEF04BDL);
      if (m.codeView() != null) {
        byte[] pdb = m.codeView().pdbPath().getBytes(StandardCharsets.UTF_8);
        b.align(4);
        int cv = b.reserve(24 + pdb.length + 1);
        b.u32(cv, CodeViewRecord.RSDS).put(cv + 4, m.codeView().guid()).u32(cv + 20, m.codeView().age())
            .put(cv + 24, pdb);
        b.u32(e + 76, 24 + pdb.length + 1).u32(e + 80, cv);
      }
    }
    entry(b, dir, 3, Minidump.MODULE_LIST, 4 + Minidump.MODULE_SIZE * modules.size(), ml);

    // Memory64List; the bytes follow the metadata back to back.
    b.align(8);
    int m64 = b.reserve(16 + 16 * memory.size());
    b.align(16);
    long base = b.size();
    b.u64(m64, memory.size()).u64(m64 + 8, base);
    for (int i = 0; i < memory.size(); i++) {
      Memory m = memory.get(i);
      b.u64(m64 + 16 + 16L * i, m.address()).u64(m64 + 24 + 16L * i, m.bytes().length);
    }
    entry(b, dir, 4, Minidump.MEMORY64_LIST, 16 + 16 * memory.size(), m64);
    return b;
  }

  private static void entry(LeBuffer b, int dir, int i, int type, long size, long rva) {
    b.u32(dir + 12L * i, type).u32(dir + 12L * i + 4, size).u32(dir + 12L * i + 8, rva);
  }

  public void write(Path path) {
    byte[] head = layout().toArray();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeAll(ch, head);
      for (Memory m : memory) writeAll(ch, m.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] toBytes() {
    LeBuffer b = layout();
    for (Memory m : memory) b.append(m.bytes());
    return b.toArray();
  }

  private static void writeAll(FileChannel ch, byte[] bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) ch.write(buf);
  }
}
