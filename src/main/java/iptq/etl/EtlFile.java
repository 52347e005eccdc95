package iptq.etl;

import iptq.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * An .etl file, read as a stream of events in time order, in the spirit of
 * {@code jdk.jfr.consumer.RecordingFile}:
 *
 * <pre>
 * try (EtlFile f = EtlFile.open(path)) {
 *   while (f.hasMoreEvents()) {
 *     EtlEvent e = f.readEvent();
 *     ...
 *   }
 * }
 * </pre>
 *
 * Buffers are grouped by processor, ordered by sequence number within each processor, and the
 * processors' events merged by timestamp. Memory: one buffer per processor plus a small index of
 * buffer headers (a few dozen bytes per buffer), never the file.
 */
public final class EtlFile implements AutoCloseable, Iterable<EtlEvent> {
  /** Reading options: {@code iptHook} names the HookId carrying IPT events, -1 to recognise them. */
  public record Options(int iptHook) {
    public static final Options DEFAULT = new Options(-1);
  }

  /** The largest buffer accepted: ETW's own maximum is 16 MiB. */
  static final int MAX_BUFFER = 16 << 20;

  private final Path path;
  private final FileChannel ch;
  private final long fileSize;
  private final Options options;
  private final LogfileHeader header;
  private final EtlStats stats = new EtlStats();
  private final BufferHeader[] buffers;
  private final CursorHeap heap = new CursorHeap();
  private long ordinal;
  private Cursor active;

  private EtlFile(Path path, Options options) throws IOException {
    this.path = path;
    this.options = options;
    this.ch = FileChannel.open(path, StandardOpenOption.READ);
    boolean ok = false;
    try {
      this.fileSize = ch.size();
      BufferHeader first = readHeader(0);
      if (first != null && !plausible(first, fileSize, 0) && plausible(first, Long.MAX_VALUE, 0)) {
        throw new InputException(path, fileSize, "a cut .etl file: it ends at offset 0x" + Long.toHexString(fileSize)
            + " inside its first buffer, which is " + Integer.toUnsignedLong(first.bufferSize()) + " bytes long");
      }
      if (first == null || !plausible(first, fileSize, 0)) {
        throw new InputException(path, 0, "not an .etl file: the first buffer header is not valid");
      }
      this.header = readLogfileHeader(first);
      this.buffers = index(first);
      startCursors();
      ok = true;
    } finally {
      if (!ok) ch.close();
    }
  }

  public static EtlFile open(Path path) throws IOException {
    return new EtlFile(path, Options.DEFAULT);
  }

  public static EtlFile open(Path path, Options options) throws IOException {
    return new EtlFile(path, options);
  }

  /** All events of a small file, for tests and tools (like RecordingFile.readAllEvents). */
  public static List<EtlEvent> readAllEvents(Path path) throws IOException {
    try (EtlFile f = open(path)) {
      List<EtlEvent> all = new ArrayList<>();
      while (f.hasMoreEvents()) all.add(f.readEvent());
      return all;
    }
  }

  public Path path() {
    return path;
  }

  public LogfileHeader header() {
    return header;
  }

  /** The buffer headers in file order (corrupt ones left out and counted in stats). */
  public List<BufferHeader> buffers() {
    return List.of(buffers);
  }

  /** Counts so far; complete once every event has been read. */
  public EtlStats stats() {
    return stats;
  }

  public boolean hasMoreEvents() {
    return active != null || !heap.isEmpty();
  }

  /** The next event in time order. */
  public EtlEvent readEvent() throws IOException {
    // The current processor's events are taken in a run until another processor's next event is
    // earlier: the heap is touched once per run, not once per event.
    Cursor c = active;
    if (c == null || !c.before(heap.peek())) {
      if (c != null) heap.add(c);
      c = heap.poll();
      if (c == null) throw new NoSuchElementException();
    }
    EtlEvent e = c.build(c.idx, ++ordinal);
    c.idx++;
    if (c.idx >= c.n) c.loadNext();
    active = c.idx < c.n ? c : null;
    stats.count(e);
    return e;
  }

  /** A single pass over the remaining events; I/O errors surface as UncheckedIOException. */
  @Override
  public Iterator<EtlEvent> iterator() {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return hasMoreEvents();
      }

      @Override
      public EtlEvent next() {
        try {
          return readEvent();
        } catch (IOException x) {
          throw new java.io.UncheckedIOException(x);
        }
      }
    };
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }

  // ------------------------------------------------------------------ buffers

  private BufferHeader readHeader(long at) throws IOException {
    if (at + BufferHeader.SIZE > fileSize) return null;
    ByteBuffer b = ByteBuffer.allocate(BufferHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    readFully(b, at);
    return BufferHeader.read(b, 0, at);
  }

  private void readFully(ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) throw new InputException(path, pos, "file ends inside a buffer");
      pos += n;
    }
  }

  private static boolean plausible(BufferHeader h, long fileSize, long at) {
    long size = Integer.toUnsignedLong(h.bufferSize());
    long saved = Integer.toUnsignedLong(h.savedOffset());
    if (size < BufferHeader.SIZE || size > MAX_BUFFER || at + size > fileSize) return false;
    if (saved < BufferHeader.SIZE || saved > MAX_BUFFER) return false;
    return h.compressed() || saved <= size;
  }

  /** A buffer's records region: the bytes (header included) and where the used part ends. */
  private record Loaded(byte[] bytes, int end) {}

  private Loaded load(BufferHeader h) throws IOException {
    byte[] raw = new byte[h.bufferSize()];
    readFully(ByteBuffer.wrap(raw), h.fileOffset());
    if (!h.compressed()) return new Loaded(raw, h.savedOffset());
    byte[] out = new byte[h.savedOffset()];
    System.arraycopy(raw, 0, out, 0, BufferHeader.SIZE);
    try {
      Xpress.decompress(raw, BufferHeader.SIZE, raw.length - BufferHeader.SIZE, out, BufferHeader.SIZE,
          out.length - BufferHeader.SIZE);
    } catch (Xpress.CorruptException x) {
      stats.corruptBuffers++;
      return null;
    }
    return new Loaded(out, out.length);
  }

  private LogfileHeader readLogfileHeader(BufferHeader first) throws IOException {
    Loaded l = load(first);
    if (l == null) throw new InputException(path, 0, "the first buffer does not decompress");
    ByteBuffer b = ByteBuffer.wrap(l.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    int at = BufferHeader.SIZE;
    if (l.end() < at + 32) throw new InputException(path, at, "the first buffer holds no logfile header");
    int marker = b.getInt(at);
    int type = (marker >>> 16) & 0xFF;
    int size = Short.toUnsignedInt(b.getShort(at + 4));
    int hook = Short.toUnsignedInt(b.getShort(at + 6));
    if ((marker >>> 24 & 0xC0) != 0xC0 || (type != HeaderKind.SYSTEM32 && type != HeaderKind.SYSTEM64)
        || hook != 0 || size < 32 + 0x118 || at + size > l.end()) {
      throw new InputException(path, at, "the first record is not a logfile header (HookId 0x0000)");
    }
    ByteBuffer p = b.duplicate().position(at + 32).limit(at + size).slice().order(ByteOrder.LITTLE_ENDIAN);
    try {
      LogfileHeader h = LogfileHeader.parse(p, type == HeaderKind.SYSTEM32 ? 4 : 8, b.getLong(at + 16));
      if (h.pointerSize() != 4 && h.pointerSize() != 8) {
        throw new InputException(path, at + 32 + 0x2C, "logfile header: pointer size " + h.pointerSize());
      }
      return h;
    } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
      throw new InputException(path, at + 32, "logfile header: " + x.getMessage());
    }
  }

  /** Reads every buffer header; corrupt ones are skipped and counted. */
  private BufferHeader[] index(BufferHeader first) throws IOException {
    List<BufferHeader> list = new ArrayList<>();
    boolean fixedStride = !header.compressed() && !first.compressed();
    long stride = Integer.toUnsignedLong(first.bufferSize());
    long at = 0;
    while (at < fileSize) {
      if (fileSize - at < BufferHeader.SIZE || (fixedStride && fileSize - at < stride)) {
        stats.trailingBytes += fileSize - at;
        break;
      }
      BufferHeader h = at == 0 ? first : readHeader(at);
      boolean ok = plausible(h, fileSize, at) && (!fixedStride || h.bufferSize() == stride);
      if (ok) {
        list.add(h);
        stats.buffers++;
        if (h.compressed()) stats.compressedBuffers++;
        if (h.eventsLost()) stats.buffersWithEventsLost++;
        if (h.bufferLost()) stats.buffersWithBufferLost++;
        if (h.flushMarker()) stats.flushMarkers++;
        stats.buffersByType[Math.min(h.bufferType(), 15)]++;
        at += h.bufferSize();
      } else if (fixedStride) {
        stats.corruptBuffers++;
        at += stride;
      } else {
        // Variable-size (compressed) buffers: without a valid size there is no next buffer.
        stats.corruptBuffers++;
        stats.trailingBytes += fileSize - at;
        break;
      }
    }
    return list.toArray(new BufferHeader[0]);
  }

  private void startCursors() throws IOException {
    int maxCpu = 0;
    for (BufferHeader h : buffers) maxCpu = Math.max(maxCpu, h.processorIndex());
    List<List<BufferHeader>> byCpu = new ArrayList<>();
    for (int i = 0; i <= maxCpu; i++) byCpu.add(new ArrayList<>());
    for (BufferHeader h : buffers) byCpu.get(h.processorIndex()).add(h);
    for (int cpu = 0; cpu <= maxCpu; cpu++) {
      List<BufferHeader> l = byCpu.get(cpu);
      if (l.isEmpty()) continue;
      l.sort(Comparator.comparingLong(BufferHeader::sequenceNumber)
          .thenComparingLong(BufferHeader::fileOffset));
      Cursor c = new Cursor(cpu, l.toArray(new BufferHeader[0]));
      c.loadNext();
      if (c.idx < c.n) heap.add(c);
    }
  }

  // ------------------------------------------------------------------ records

  private static final int WPP_SEQUENCE = 0x1;
  private static final int WPP_GUID = 0x2;
  private static final int WPP_COMPONENTID = 0x4;
  private static final int WPP_TIMESTAMP = 0x8;
  private static final int WPP_PERF_TIMESTAMP = 0x10;
  private static final int WPP_SYSTEMINFO = 0x20;

  /** One processor's buffers, in sequence order, with the current buffer's records scanned. */
  private final class Cursor {
    final int cpu;
    final BufferHeader[] list;
    int next;
    BufferHeader cur;
    byte[] bytes;
    ByteBuffer bb;
    int[] off = new int[256];
    long[] ts = new long[256];
    int n;
    int idx;

    ByteBuffer ro;

    Cursor(int cpu, BufferHeader[] list) {
      this.cpu = cpu;
      this.list = list;
    }

    /** Whether this cursor's next event comes before {@code o}'s (the heap's order). */
    boolean before(Cursor o) {
      if (o == null) return true;
      long a = ts[idx];
      long b = o.ts[o.idx];
      return a < b || (a == b && cpu < o.cpu);
    }

    /** Loads buffers until one has records, or none are left. */
    void loadNext() throws IOException {
      n = 0;
      idx = 0;
      while (n == 0 && next < list.length) {
        cur = list[next++];
        Loaded l = load(cur);
        if (l == null) continue;
        bytes = l.bytes();
        bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ro = bb.asReadOnlyBuffer();
        scan(Math.min(l.end(), bytes.length));
      }
      if (n == 0) {
        bytes = null;
        bb = null;
        ro = null;
      }
    }

    private void add(int at, long t) {
      if (n == off.length) {
        off = Arrays.copyOf(off, n * 2);
        ts = Arrays.copyOf(ts, n * 2);
      }
      off[n] = at;
      ts[n] = t;
      n++;
    }

    /** Finds the records of the current buffer; stops at the first one that makes no sense. */
    private void scan(int end) {
      int pos = BufferHeader.SIZE;
      long lastTs = cur.timeStamp();
      while (pos + 4 <= end) {
        int marker = bb.getInt(pos);
        if (marker == -1) break;
        int flags = marker >>> 24;
        int type = (marker >>> 16) & 0xFF;
        int size;
        int hdr;
        long t;
        if ((flags & 0xC0) == 0xC0) {
          switch (type) {
            case HeaderKind.SYSTEM32, HeaderKind.SYSTEM64, HeaderKind.COMPACT32, HeaderKind.COMPACT64,
                HeaderKind.PERFINFO32, HeaderKind.PERFINFO64 -> {
              hdr = type <= 2 ? 32 : type <= 4 ? 24 : 16;
              if (pos + Math.min(hdr, 24) > end) {
                bad(pos, end);
                return;
              }
              size = Short.toUnsignedInt(bb.getShort(pos + 4));
              hdr += ((marker & 0x8000) != 0 ? 8 : 0) + ((marker >>> 8) & 7) * 8;
              t = bb.getLong(pos + (type >= HeaderKind.PERFINFO32 ? 8 : 16));
            }
            case HeaderKind.FULL_HEADER32, HeaderKind.FULL_HEADER64, HeaderKind.INSTANCE32,
                HeaderKind.INSTANCE64, HeaderKind.EVENT_HEADER32, HeaderKind.EVENT_HEADER64 -> {
              size = marker & 0xFFFF;
              hdr = type == HeaderKind.FULL_HEADER32 || type == HeaderKind.FULL_HEADER64 ? 48
                  : type == HeaderKind.INSTANCE32 || type == HeaderKind.INSTANCE64 ? 72 : 80;
              if (pos + 24 > end) {
                bad(pos, end);
                return;
              }
              t = bb.getLong(pos + 16);
            }
            default -> {
              stats.unknownRecords++;
              stats.skippedBytes += end - pos;
              return;
            }
          }
        } else if ((flags & 0x90) == 0x90) {
          if (pos + 8 > end) {
            bad(pos, end);
            return;
          }
          size = marker & 0xFFFF;
          int opt = Short.toUnsignedInt(bb.getShort(pos + 6));
          hdr = wppHeaderSize(opt);
          t = lastTs;
          if ((opt & (WPP_TIMESTAMP | WPP_PERF_TIMESTAMP)) != 0 && pos + hdr <= end) {
            t = bb.getLong(pos + wppTimestampOffset(opt));
          }
        } else {
          stats.unknownRecords++;
          stats.skippedBytes += end - pos;
          return;
        }
        if (size < hdr || pos + size > end) {
          bad(pos, end);
          return;
        }
        if ((type == HeaderKind.EVENT_HEADER32 || type == HeaderKind.EVENT_HEADER64)
            && (flags & 0xC0) == 0xC0 && !extendedItemsFit(pos, size)) {
          bad(pos, end);
          return;
        }
        add(pos, t);
        lastTs = t;
        pos += (size + 7) & ~7;
      }
    }

    private void bad(int pos, int end) {
      stats.badRecords++;
      stats.skippedBytes += end - pos;
    }

    private boolean extendedItemsFit(int pos, int size) {
      int flags = Short.toUnsignedInt(bb.getShort(pos + 4));
      if ((flags & 1) == 0) return true;
      int o = pos + 80;
      int end = pos + size;
      for (int items = 0; items < 64; items++) {
        if (o + 8 > end) return false;
        int itemSize = Short.toUnsignedInt(bb.getShort(o));
        int dataSize = Short.toUnsignedInt(bb.getShort(o + 6));
        if (itemSize < 8 + dataSize || o + itemSize > end) return false;
        boolean more = (bb.getShort(o + 4) & 1) != 0;
        o += itemSize;
        if (!more) return true;
      }
      return false;
    }

    EtlEvent build(int i, long ord) {
      int pos = off[i];
      int marker = bb.getInt(pos);
      int flags = marker >>> 24;
      int type = (marker >>> 16) & 0xFF;
      long fileOffset = cur.fileOffset();
      if ((flags & 0xC0) != 0xC0) return wpp(pos, marker, ord, fileOffset);
      return switch (type) {
        case HeaderKind.SYSTEM32, HeaderKind.SYSTEM64, HeaderKind.COMPACT32, HeaderKind.COMPACT64,
            HeaderKind.PERFINFO32, HeaderKind.PERFINFO64 -> kernel(pos, marker, type, ord, fileOffset);
        case HeaderKind.EVENT_HEADER32, HeaderKind.EVENT_HEADER64 -> eventHeader(pos, type, ord, fileOffset);
        default -> classic(pos, type, ord, fileOffset);
      };
    }

    /** File offset of a payload; inside a compressed buffer, the buffer's offset. */
    private long fo(int payloadStart) {
      return cur.compressed() ? cur.fileOffset() : cur.fileOffset() + payloadStart;
    }

    private ByteBuffer slice(int from, int to) {
        // slice() and asReadOnlyBuffer() reset the byte order to big endian: set it last.
      return ro.slice(from, to - from).order(ByteOrder.LITTLE_ENDIAN);
    }

    private EtlEvent kernel(int pos, int marker, int type, long ord, long fileOffset) {
      HeaderKind kind = type <= 2 ? HeaderKind.SYSTEM : type <= 4 ? HeaderKind.COMPACT : HeaderKind.PERFINFO;
      int ptr = type == HeaderKind.SYSTEM32 || type == HeaderKind.COMPACT32 || type == HeaderKind.PERFINFO32
          ? 4 : 8;
      int size = Short.toUnsignedInt(bb.getShort(pos + 4));
      int hook = Short.toUnsignedInt(bb.getShort(pos + 6));
      int hdr = kind == HeaderKind.SYSTEM ? 32 : kind == HeaderKind.COMPACT ? 24 : 16;
      int tid = -1;
      int pid = -1;
      long raw;
      if (kind == HeaderKind.PERFINFO) {
        raw = bb.getLong(pos + 8);
      } else {
        tid = bb.getInt(pos + 8);
        pid = bb.getInt(pos + 12);
        raw = bb.getLong(pos + 16);
      }
      int o = pos + hdr;
      long pebs = 0;
      if ((marker & 0x8000) != 0) {
        pebs = bb.getLong(o);
        o += 8;
      }
      int nPmc = (marker >>> 8) & 7;
      long[] pmc = NO_PMC;
      if (nPmc > 0) {
        pmc = new long[nPmc];
        for (int k = 0; k < nPmc; k++) pmc[k] = bb.getLong(o + 8 * k);
        o += 8 * nPmc;
      }
      ByteBuffer payload = slice(o, pos + size);
      int version = marker & 0xFF;
      EventData data = decode(hook, version, null, hook & 0xFF, payload, ptr);
      boolean ipt = data instanceof EventData.Ipt;
      return new EtlEvent(ord, kind, type, cpu, raw, header.toNanos(raw), pid, tid, hook, hook & 0xFF,
          version, marker >>> 24, null,
          ipt ? "IntelProcessorTrace" : KernelNames.groupName(hook >>> 8),
          ipt ? "ProcessorTrace" : KernelNames.eventName(hook), -1, -1, -1, -1, 0, pebs, pmc,
          List.of(), payload, fo(o), ptr, data);
    }

    private EtlEvent classic(int pos, int type, long ord, long fileOffset) {
      boolean instance = type == HeaderKind.INSTANCE32 || type == HeaderKind.INSTANCE64;
      int ptr = type == HeaderKind.FULL_HEADER32 || type == HeaderKind.INSTANCE32 ? 4 : 8;
      int size = Short.toUnsignedInt(bb.getShort(pos));
      int opcode = bb.get(pos + 4) & 0xFF;
      int level = bb.get(pos + 5) & 0xFF;
      int version = Short.toUnsignedInt(bb.getShort(pos + 6));
      int tid = bb.getInt(pos + 8);
      int pid = bb.getInt(pos + 12);
      long raw = bb.getLong(pos + 16);
      UUID guid = Guids.read(bb, pos + 24);
      int from = pos + (instance ? 72 : 48);
      ByteBuffer payload = slice(from, pos + size);
      return named(ord, instance ? HeaderKind.INSTANCE : HeaderKind.TRACE, type, raw, pid, tid, opcode,
          version, bb.get(pos + 3) & 0xFF, guid, null, -1, level, -1, -1, 0, List.of(), payload,
          fo(from), ptr);
    }

    private EtlEvent eventHeader(int pos, int type, long ord, long fileOffset) {
      int size = Short.toUnsignedInt(bb.getShort(pos));
      int flags = Short.toUnsignedInt(bb.getShort(pos + 4));
      int tid = bb.getInt(pos + 8);
      int pid = bb.getInt(pos + 12);
      long raw = bb.getLong(pos + 16);
      UUID guid = Guids.read(bb, pos + 24);
      int id = Short.toUnsignedInt(bb.getShort(pos + 40));
      int version = bb.get(pos + 42) & 0xFF;
      int channel = bb.get(pos + 43) & 0xFF;
      int level = bb.get(pos + 44) & 0xFF;
      int opcode = bb.get(pos + 45) & 0xFF;
      int task = Short.toUnsignedInt(bb.getShort(pos + 46));
      long keyword = bb.getLong(pos + 48);
      int ptr = (flags & 0x20) != 0 || type == HeaderKind.EVENT_HEADER32 ? 4 : 8;
      int o = pos + 80;
      List<ExtendedItem> items = List.of();
      String provName = null;
      String eventName = null;
      if ((flags & 1) != 0) {
        items = new ArrayList<>(2);
        while (true) {
          int itemSize = Short.toUnsignedInt(bb.getShort(o));
          int extType = Short.toUnsignedInt(bb.getShort(o + 2));
          boolean more = (bb.getShort(o + 4) & 1) != 0;
          int dataSize = Short.toUnsignedInt(bb.getShort(o + 6));
          ByteBuffer d = slice(o + 8, o + 8 + dataSize);
          items.add(new ExtendedItem(extType, d));
          if (extType == ExtendedItem.PROV_TRAITS) provName = tlName(d, false);
          if (extType == ExtendedItem.EVENT_SCHEMA_TL) eventName = tlName(d, true);
          o += itemSize;
          if (!more) break;
        }
      }
      ByteBuffer payload = slice(o, pos + size);
      return named(ord, HeaderKind.EVENT, type, raw, pid, tid, opcode, version, flags, guid, provName, id,
          level, task, channel, keyword, items, payload, fo(o), ptr, eventName);
    }

    private EtlEvent named(long ord, HeaderKind kind, int type, long raw, int pid, int tid, int opcode,
        int version, int flags, UUID guid, String provName, int id, int level, int task, int channel,
        long keyword, List<ExtendedItem> items, ByteBuffer payload, long fileOffset, int ptr) {
      return named(ord, kind, type, raw, pid, tid, opcode, version, flags, guid, provName, id, level,
          task, channel, keyword, items, payload, fileOffset, ptr, null);
    }

    private EtlEvent named(long ord, HeaderKind kind, int type, long raw, int pid, int tid, int opcode,
        int version, int flags, UUID guid, String provName, int id, int level, int task, int channel,
        long keyword, List<ExtendedItem> items, ByteBuffer payload, long fileOffset, int ptr,
        String tlEventName) {
      int group = KernelNames.groupOfGuid(guid);
      int hook = group >= 0 ? group << 8 | opcode : -1;
      EventData data;
      String name;
      String pname = provName;
      if (KernelNames.IPT_CLASS.equals(guid) && opcode == 32) {
        data = decode(options.iptHook() >= 0 ? options.iptHook() : 0x20, version, null, 32, payload, ptr,
            true);
        name = "ProcessorTrace";
        pname = "IntelProcessorTrace";
      } else {
        data = decode(hook, version, guid, opcode, payload, ptr);
        if (hook >= 0) {
          name = KernelNames.eventName(hook);
          pname = KernelNames.groupName(group);
        } else if (data instanceof EventData.ImageId) {
          name = "ImageId";
          pname = "KernelTraceControl";
        } else if (data instanceof EventData.DbgIdRsds) {
          name = "DbgID_RSDS";
          pname = "KernelTraceControl";
        } else if (tlEventName != null) {
          name = tlEventName;
        } else {
          name = kind == HeaderKind.EVENT ? "Event" + id : "Type" + opcode;
        }
      }
      return new EtlEvent(ord, kind, type, cpu, raw, header.toNanos(raw), pid, tid, hook, opcode, version,
          flags, guid, pname, name, id, level, task, channel, keyword, 0, NO_PMC, items, payload,
          fileOffset, ptr, data);
    }

    private EtlEvent wpp(int pos, int marker, long ord, long fileOffset) {
      int size = marker & 0xFFFF;
      int number = Short.toUnsignedInt(bb.getShort(pos + 4));
      int opt = Short.toUnsignedInt(bb.getShort(pos + 6));
      int o = pos + 8;
      UUID guid = null;
      if ((opt & WPP_SEQUENCE) != 0) o += 4;
      if ((opt & WPP_GUID) != 0) {
        guid = Guids.read(bb, o);
        o += 16;
      } else if ((opt & WPP_COMPONENTID) != 0) {
        o += 4;
      }
      long raw = ts[idxOf(pos)];
      if ((opt & (WPP_TIMESTAMP | WPP_PERF_TIMESTAMP)) != 0) o += 8;
      int tid = -1;
      int pid = -1;
      if ((opt & WPP_SYSTEMINFO) != 0) {
        tid = bb.getInt(o);
        pid = bb.getInt(o + 4);
        o += 8;
      }
      ByteBuffer payload = slice(o, pos + size);
      return new EtlEvent(ord, HeaderKind.WPP, 0, cpu, raw, header.toNanos(raw), pid, tid, -1, 0, 0, opt,
          guid, null, "Message" + number, number, -1, -1, -1, 0, 0, NO_PMC, List.of(), payload,
          fo(o), header.pointerSize(), EventData.Generic.INSTANCE);
    }

    private int idxOf(int pos) {
      return pos == off[idx] ? idx : Arrays.binarySearch(off, 0, n, pos);
    }

    private EventData decode(int hook, int version, UUID guid, int opcode, ByteBuffer payload, int ptr) {
      return decode(hook, version, guid, opcode, payload, ptr, false);
    }

    private EventData decode(int hook, int version, UUID guid, int opcode, ByteBuffer payload, int ptr,
        boolean forceIpt) {
      try {
        return EventDecoder.decode(hook, version, guid, opcode, payload, ptr,
            forceIpt ? hook : options.iptHook());
      } catch (EventDecoder.Short | IndexOutOfBoundsException | IllegalArgumentException x) {
        stats.undecodablePayloads++;
        return EventData.Generic.INSTANCE;
      }
    }
  }

  private static final long[] NO_PMC = new long[0];

  /** A binary min-heap of cursors by (next timestamp, processor), without boxing or lambdas. */
  private static final class CursorHeap {
    private Cursor[] a = new Cursor[16];
    private int n;

    boolean isEmpty() {
      return n == 0;
    }

    Cursor peek() {
      return n == 0 ? null : a[0];
    }

    void add(Cursor c) {
      if (n == a.length) a = Arrays.copyOf(a, 2 * n);
      int i = n++;
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (!c.before(a[p])) break;
        a[i] = a[p];
        i = p;
      }
      a[i] = c;
    }

    Cursor poll() {
      if (n == 0) return null;
      Cursor top = a[0];
      Cursor last = a[--n];
      a[n] = null;
      if (n > 0) {
        int i = 0;
        while (true) {
          int l = 2 * i + 1;
          if (l >= n) break;
          int r = l + 1;
          int m = r < n && a[r].before(a[l]) ? r : l;
          if (!a[m].before(last)) break;
          a[i] = a[m];
          i = m;
        }
        a[i] = last;
      }
      return top;
    }
  }

  static int wppHeaderSize(int opt) {
    int s = 8;
    if ((opt & WPP_SEQUENCE) != 0) s += 4;
    if ((opt & WPP_GUID) != 0) s += 16;
    else if ((opt & WPP_COMPONENTID) != 0) s += 4;
    if ((opt & (WPP_TIMESTAMP | WPP_PERF_TIMESTAMP)) != 0) s += 8;
    if ((opt & WPP_SYSTEMINFO) != 0) s += 8;
    return s;
  }

  static int wppTimestampOffset(int opt) {
    int s = 8;
    if ((opt & WPP_SEQUENCE) != 0) s += 4;
    if ((opt & WPP_GUID) != 0) s += 16;
    else if ((opt & WPP_COMPONENTID) != 0) s += 4;
    return s;
  }

  /** The name in a TraceLogging provider-traits or event-schema item. */
  private static String tlName(ByteBuffer d, boolean event) {
    int o = 2;
    if (event) {
      while (o < d.remaining() && (d.get(o) & 0x80) != 0) o++;
      o++;
    }
    int e = o;
    while (e < d.remaining() && d.get(e) != 0) e++;
    if (o > e || e > d.remaining()) return null;
    byte[] s = new byte[e - o];
    d.get(o, s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
