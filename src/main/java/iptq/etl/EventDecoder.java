package iptq.etl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Decodes the payloads of the kernel events iptq uses; anything else is {@link EventData.Generic}. */
final class EventDecoder {
  private EventDecoder() {}

  /** A payload shorter than its layout; the event comes out as Generic and is counted. */
  static final class Short extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Short() {
      super(null, null, false, false);
    }
  }

  private static final Short SHORT = new Short();

  /**
   * @param hookId group << 8 | type, or -1 for non-kernel events
   * @param iptHook the HookId that carries IPT events, or -1 to recognise them by structure
   */
  static EventData decode(int hookId, int version, UUID provider, int opcode, ByteBuffer p,
      int ptr, int iptHook) {
    if (hookId >= 0) {
      int group = hookId >>> 8;
      int type = hookId & 0xFF;
      if (iptHook >= 0 ? hookId == iptHook : iptCandidate(group, type, p)) return ipt(p);
      switch (group) {
        case KernelNames.GROUP_PROCESS:
          if (type <= 4 || type == 39) return process(p, version, ptr);
          break;
        case KernelNames.GROUP_THREAD:
          if (type >= 1 && type <= 4) return thread(p, version, ptr);
          if (type == 36) return cswitch(p);
          break;
        case KernelNames.GROUP_IMAGE:
          if (type == 10 || (type >= 2 && type <= 4)) return image(p, version, ptr);
          if (type == 0x21) return new EventData.Address("ImageBase", ptr(p, 0, ptr));
          if (type == 0x22) return new EventData.Address("HypercallPage", ptr(p, 0, ptr));
          break;
        case KernelNames.GROUP_PERFINFO:
          if (type == 51) return new EventData.SystemCallEnter(ptr(p, 0, ptr));
          if (type == 52) return new EventData.SystemCallExit(i32(p, 0));
          break;
        case KernelNames.GROUP_STACKWALK:
          if (type == 32) return stack(p, ptr);
          break;
        default:
          break;
      }
      return EventData.Generic.INSTANCE;
    }
    if (KernelNames.IMAGE_ID.equals(provider) || KernelNames.KERNEL_TRACE_CONTROL.equals(provider)) {
      if (opcode == 0) return imageId(p, ptr);
      if (opcode == 36) return rsds(p, ptr);
    }
    return EventData.Generic.INSTANCE;
  }

  /**
   * The structural test of etw.md "The IPT event": a type-0x20 event outside the header and
   * StackWalk groups whose payload is exactly 32 + TraceSize bytes with TracePosition inside it.
   * The thread and timestamp tests need the rest of the trace ({@link IptSegments}).
   */
  static boolean iptCandidate(int group, int type, ByteBuffer p) {
    if (type != 0x20 || group == KernelNames.GROUP_HEADER || group == KernelNames.GROUP_STACKWALK) {
      return false;
    }
    int n = p.remaining();
    if (n < 32) return false;
    long size = Integer.toUnsignedLong(p.getInt(p.position() + 24));
    long position = Integer.toUnsignedLong(p.getInt(p.position() + 28));
    return size + 32 == n && size > 0 && position <= size;
  }

  private static EventData ipt(ByteBuffer p) {
    int size = i32(p, 24);
    if (size < 0 || 32L + size > p.remaining()) throw SHORT;
    ByteBuffer trace = p.duplicate();
    trace.position(p.position() + 32).limit(p.position() + 32 + size);
    return new EventData.Ipt(i64(p, 0), i32(p, 8), i32(p, 12), new IptOption(i64(p, 16)), size,
        i32(p, 28), trace.slice().asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN));
  }

  private static EventData process(ByteBuffer p, int version, int ptr) {
    int o;
    long key = 0;
    long dtb = 0;
    int pid;
    int parent;
    int session = 0;
    int exit = 0;
    int flags = 0;
    if (version == 0) {
      pid = (int) ptr(p, 0, ptr);
      parent = (int) ptr(p, ptr, ptr);
      o = 2 * ptr;
    } else {
      key = ptr(p, 0, ptr);
      pid = i32(p, ptr);
      parent = i32(p, ptr + 4);
      session = i32(p, ptr + 8);
      exit = i32(p, ptr + 12);
      o = ptr + 16;
      if (version == 1) dtb = key; // v1 has PageDirectoryBase where later versions have the key
      if (version >= 3) {
        dtb = ptr(p, o, ptr);
        o += ptr;
      }
      if (version >= 4) {
        flags = i32(p, o);
        o += 4;
      }
    }
    int[] at = {o};
    String sid = sid(p, at, ptr);
    String image = ansi(p, at);
    String cmd = version >= 2 ? utf16(p, at) : "";
    String pkg = null;
    String app = null;
    if (version >= 4 && at[0] < p.remaining()) {
      pkg = utf16(p, at);
      app = at[0] < p.remaining() ? utf16(p, at) : "";
    }
    return new EventData.Process(version == 1 ? 0 : key, pid, parent, session, exit, dtb, flags, sid,
        image, cmd, pkg, app);
  }

  /** The user SID: 4 zero bytes, or a TOKEN_USER (two pointers) followed by the SID itself. */
  private static String sid(ByteBuffer p, int[] at, int ptr) {
    int o = at[0];
    if (i32(p, o) == 0) {
      at[0] = o + 4;
      return null;
    }
    int s = o + 2 * ptr;
    int revision = u8(p, s);
    int count = u8(p, s + 1);
    long authority = 0;
    for (int i = 0; i < 6; i++) authority = authority << 8 | u8(p, s + 2 + i);
    StringBuilder sb = new StringBuilder("S-").append(revision).append('-').append(authority);
    for (int i = 0; i < count; i++) sb.append('-').append(Integer.toUnsignedLong(i32(p, s + 8 + 4 * i)));
    at[0] = s + 8 + 4 * count;
    return sb.toString();
  }

  private static EventData thread(ByteBuffer p, int version, int ptr) {
    if (version == 0) return new EventData.Thread(i32(p, 4), i32(p, 0), 0, 0, 0, 0, 0, 0, 0, 0, false);
    int pid = i32(p, 0);
    int tid = i32(p, 4);
    int o = 8;
    long[] a = new long[7];
    int n = Math.min(7, Math.max(0, (p.remaining() - 8) / ptr));
    for (int i = 0; i < n; i++) a[i] = ptr(p, o + i * ptr, ptr);
    // v1/v2 have StartAddr in the 5th pointer; v3+ have Affinity there instead.
    boolean hasStart = version <= 2 && n >= 5;
    int tag = version >= 2 && p.remaining() >= o + 7 * ptr + 4 ? i32(p, o + 7 * ptr) : 0;
    return new EventData.Thread(pid, tid, a[0], a[1], a[2], a[3], hasStart ? a[4] : 0, a[5],
        version >= 2 ? a[6] : 0, tag, hasStart);
  }

  private static EventData cswitch(ByteBuffer p) {
    if (p.remaining() < 20) throw SHORT;
    return new EventData.CSwitch(i32(p, 0), i32(p, 4), (byte) u8(p, 8), (byte) u8(p, 9), u8(p, 10),
        (byte) u8(p, 12), (byte) u8(p, 13), (byte) u8(p, 14), (byte) u8(p, 15), i32(p, 16));
  }

  private static EventData image(ByteBuffer p, int version, int ptr) {
    long base = ptr(p, 0, ptr);
    if (version == 0) {
      int[] at = {ptr + 4};
      return new EventData.Image(base, Integer.toUnsignedLong(i32(p, ptr)), 0, 0, 0, 0, utf16(p, at));
    }
    long size = ptr(p, ptr, ptr);
    int pid = i32(p, 2 * ptr);
    if (version == 1) {
      int[] at = {2 * ptr + 4};
      return new EventData.Image(base, size, pid, 0, 0, 0, utf16(p, at));
    }
    int o = 2 * ptr + 4;
    int checksum = i32(p, o);
    int tds = i32(p, o + 4);
    long defaultBase = ptr(p, o + 12, ptr);
    int[] at = {o + 12 + ptr + 16};
    return new EventData.Image(base, size, pid, checksum, tds, defaultBase, utf16(p, at));
  }

  private static EventData stack(ByteBuffer p, int ptr) {
    int n = (p.remaining() - 16) / ptr;
    if (n < 0) throw SHORT;
    long[] s = new long[n];
    for (int i = 0; i < n; i++) s[i] = ptr(p, 16 + i * ptr, ptr);
    return new EventData.StackWalk(i64(p, 0), i32(p, 8), i32(p, 12), s);
  }

  private static EventData imageId(ByteBuffer p, int ptr) {
    int[] at = {ptr + 12};
    return new EventData.ImageId(ptr(p, 0, ptr), Integer.toUnsignedLong(i32(p, ptr)), i32(p, ptr + 4),
        i32(p, ptr + 8), utf16(p, at));
  }

  private static EventData rsds(ByteBuffer p, int ptr) {
    int[] at = {ptr + 24};
    return new EventData.DbgIdRsds(ptr(p, 0, ptr), i32(p, ptr), guid(p, ptr + 4), i32(p, ptr + 20),
        ansi(p, at));
  }

  // ------------------------------------------------------------- bounds-checked reads

  static int u8(ByteBuffer p, int o) {
    if (o < 0 || o + 1 > p.remaining()) throw SHORT;
    return p.get(p.position() + o) & 0xFF;
  }

  static int i32(ByteBuffer p, int o) {
    if (o < 0 || o + 4 > p.remaining()) throw SHORT;
    return p.getInt(p.position() + o);
  }

  static long i64(ByteBuffer p, int o) {
    if (o < 0 || o + 8 > p.remaining()) throw SHORT;
    return p.getLong(p.position() + o);
  }

  static long ptr(ByteBuffer p, int o, int ptr) {
    return ptr == 4 ? Integer.toUnsignedLong(i32(p, o)) : i64(p, o);
  }

  static UUID guid(ByteBuffer p, int o) {
    if (o < 0 || o + 16 > p.remaining()) throw SHORT;
    int b = p.position() + o;
    return Guids.read(p, b);
  }

  /** A NUL-terminated 8-bit string; a missing terminator ends at the payload's end. */
  static String ansi(ByteBuffer p, int[] at) {
    int o = at[0];
    if (o > p.remaining()) throw SHORT;
    int b = p.position();
    int e = o;
    while (e < p.remaining() && p.get(b + e) != 0) e++;
    byte[] s = new byte[e - o];
    p.get(b + o, s);
    at[0] = Math.min(e + 1, p.remaining());
    return iptq.Printable.of(new String(s, StandardCharsets.ISO_8859_1));
  }

  /** A NUL-terminated UTF-16LE string; a missing terminator ends at the payload's end. */
  static String utf16(ByteBuffer p, int[] at) {
    int o = at[0];
    if (o > p.remaining()) throw SHORT;
    int b = p.position();
    int e = o;
    while (e + 2 <= p.remaining() && p.getChar(b + e) != 0) e += 2;
    byte[] s = new byte[e - o];
    p.get(b + o, s);
    at[0] = Math.min(e + 2, p.remaining());
    return iptq.Printable.of(new String(s, StandardCharsets.UTF_16LE));
  }
}
