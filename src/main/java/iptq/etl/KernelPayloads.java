package iptq.etl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds the payloads of the kernel events in the layouts {@link EventDecoder} reads (the
 * layouts Windows writes), for {@link EtlWriter} users: tests and the sample generator.
 */
public final class KernelPayloads {
  private KernelPayloads() {}

  /**
   * The HookId this project's writer uses for IPT events. The real group is not public; the
   * reader recognises the event by structure whatever hook carries it.
   */
  public static final int SAMPLE_IPT_HOOK = 0x2C20;

  /** A little-endian byte sink with pointer-sized writes. */
  static final class Out {
    final ByteArrayOutputStream b = new ByteArrayOutputStream();
    final int ptr;

    Out(int ptr) {
      this.ptr = ptr;
    }

    Out u8(int v) {
      b.write(v);
      return this;
    }

    Out u16(int v) {
      b.write(v);
      b.write(v >>> 8);
      return this;
    }

    Out u32(long v) {
      for (int i = 0; i < 4; i++) b.write((int) (v >>> (8 * i)));
      return this;
    }

    Out u64(long v) {
      for (int i = 0; i < 8; i++) b.write((int) (v >>> (8 * i)));
      return this;
    }

    Out ptr(long v) {
      return ptr == 4 ? u32(v) : u64(v);
    }

    Out bytes(byte[] x) {
      b.writeBytes(x);
      return this;
    }

    Out ansi(String s) {
      return bytes((s + "\0").getBytes(StandardCharsets.ISO_8859_1));
    }

    Out utf16(String s) {
      return bytes((s + "\0").getBytes(StandardCharsets.UTF_16LE));
    }

    byte[] done() {
      return b.toByteArray();
    }
  }

  /** Process event, version 4 (Start/End/DCStart/DCEnd) or 5 (Defunct) layout. */
  public static byte[] process(int ptr, EventData.Process p) {
    Out o = new Out(ptr).ptr(p.uniqueProcessKey()).u32(p.pid()).u32(p.parentPid()).u32(p.sessionId())
        .u32(p.exitStatus()).ptr(p.directoryTableBase()).u32(p.flags());
    sid(o, p.userSid());
    o.ansi(p.imageFileName()).utf16(p.commandLine());
    o.utf16(p.packageFullName() == null ? "" : p.packageFullName());
    o.utf16(p.applicationId() == null ? "" : p.applicationId());
    return o.done();
  }

  /**
   * Process event of an older version: 3 (DirectoryTableBase, no Flags or package names) or 2
   * (neither DirectoryTableBase nor Flags).
   */
  public static byte[] processOld(int ptr, int version, EventData.Process p) {
    if (version != 2 && version != 3) throw new IllegalArgumentException("version " + version);
    Out o = new Out(ptr).ptr(p.uniqueProcessKey()).u32(p.pid()).u32(p.parentPid()).u32(p.sessionId())
        .u32(p.exitStatus());
    if (version == 3) o.ptr(p.directoryTableBase());
    sid(o, p.userSid());
    return o.ansi(p.imageFileName()).utf16(p.commandLine()).done();
  }

  /** A user SID as WMI writes it: a TOKEN_USER (two pointers) then the SID; null writes 4 zeros. */
  private static void sid(Out o, String sid) {
    if (sid == null) {
      o.u32(0);
      return;
    }
    String[] parts = sid.split("-");
    o.ptr(0xffff_8000_1234_0000L & (o.ptr == 4 ? 0xFFFFFFFFL : -1L) | 0x10).ptr(0);
    o.u8(Integer.parseInt(parts[1])).u8(parts.length - 3);
    long auth = Long.parseLong(parts[2]);
    for (int i = 5; i >= 0; i--) o.u8((int) (auth >>> (8 * i)));
    for (int i = 3; i < parts.length; i++) o.u32(Long.parseLong(parts[i]));
  }

  /** Thread event, version 3 layout (Affinity where version 2 has StartAddr). */
  public static byte[] thread(int ptr, EventData.Thread t) {
    return new Out(ptr).u32(t.pid()).u32(t.tid()).ptr(t.stackBase()).ptr(t.stackLimit())
        .ptr(t.userStackBase()).ptr(t.userStackLimit()).ptr(0).ptr(t.win32StartAddress())
        .ptr(t.tebBase()).u32(t.subProcessTag()).u8(8).u8(5).u8(2).u8(0).done();
  }

  /** Thread event, version 2 layout, which carries the kernel start address. */
  public static byte[] threadV2(int ptr, EventData.Thread t) {
    return new Out(ptr).u32(t.pid()).u32(t.tid()).ptr(t.stackBase()).ptr(t.stackLimit())
        .ptr(t.userStackBase()).ptr(t.userStackLimit()).ptr(t.startAddress())
        .ptr(t.win32StartAddress()).ptr(t.tebBase()).u32(t.subProcessTag()).done();
  }

  public static byte[] cswitch(EventData.CSwitch c) {
    return new Out(8).u32(c.newThreadId()).u32(c.oldThreadId()).u8(c.newThreadPriority())
        .u8(c.oldThreadPriority()).u8(c.previousCState()).u8(0).u8(c.oldThreadWaitReason())
        .u8(c.oldThreadWaitMode()).u8(c.oldThreadState()).u8(c.oldThreadWaitIdealProcessor())
        .u32(c.newThreadWaitTime()).u32(0).done();
  }

  /** Image event, version 3 layout. */
  public static byte[] image(int ptr, EventData.Image i) {
    return new Out(ptr).ptr(i.imageBase()).ptr(i.imageSize()).u32(i.pid()).u32(i.checksum())
        .u32(i.timeDateStamp()).u32(0).ptr(i.defaultBase()).u32(0).u32(0).u32(0).u32(0)
        .utf16(i.fileName()).done();
  }

  public static byte[] address(int ptr, long address) {
    return new Out(ptr).ptr(address).done();
  }

  public static byte[] systemCallEnter(int ptr, long address) {
    return new Out(ptr).ptr(address).done();
  }

  public static byte[] systemCallExit(int ntStatus) {
    return new Out(8).u32(ntStatus).done();
  }

  public static byte[] stackWalk(int ptr, EventData.StackWalk s) {
    Out o = new Out(ptr).u64(s.eventTimeStamp()).u32(s.stackProcess()).u32(s.stackThread());
    for (long a : s.stack()) o.ptr(a);
    return o.done();
  }

  public static byte[] imageId(int ptr, EventData.ImageId i) {
    return new Out(ptr).ptr(i.imageBase()).u32(i.imageSize()).u32(i.pid()).u32(i.timeDateStamp())
        .utf16(i.originalFileName()).done();
  }

  public static byte[] dbgIdRsds(int ptr, EventData.DbgIdRsds r) {
    ByteBuffer g = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    Guids.write(g, r.guid());
    return new Out(ptr).ptr(r.imageBase()).u32(r.pid()).bytes(g.array()).u32(r.age())
        .ansi(r.pdbFileName()).done();
  }

  /** The IPT event: its 32-byte header, then the circular buffer's bytes as they lie. */
  public static byte[] ipt(long eventTimeStamp, int process, int thread, IptOption option,
      int tracePosition, byte[] trace) {
    return new Out(8).u64(eventTimeStamp).u32(process).u32(thread).u64(option.value())
        .u32(trace.length).u32(tracePosition).bytes(trace).done();
  }
}
