package iptq.etl;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Writes .etl files in the layout Windows uses: a header buffer with TRACE_LOGFILE_HEADER, then
 * per-processor buffers of records (SYSTEM, COMPACT, PERFINFO, classic, instance, EVENT_HEADER,
 * WPP), flushed out of order across processors and, optionally, shuffled within a small window
 * so readers must order by sequence number; optionally compressed with Xpress Huffman.
 *
 * <p>Timestamps are raw clock ticks (QPC at {@link Config#perfFreq}); a processor's records
 * must be written in time order, as the kernel does.
 */
public final class EtlWriter implements Closeable {
  /** The file's shape. {@code headerTs} is the raw timestamp of time zero. */
  public record Config(int bufferSize, int cpus, boolean compressed, int pointerSize, long perfFreq,
      long startTime, long bootTime, long headerTs, String loggerName, String logFileName, int build,
      int shuffleWindow, long seed) {
    public static Config defaults() {
      return new Config(65536, 4, false, 8, 10_000_000L, 133_000_000_000_000_000L,
          132_999_000_000_000_000L, 1_000_000L, "iptq sample", "C:\\iptq\\sample.etl", 19041, 4, 1);
    }

    public Config withBufferSize(int v) {
      return new Config(v, cpus, compressed, pointerSize, perfFreq, startTime, bootTime, headerTs,
          loggerName, logFileName, build, shuffleWindow, seed);
    }

    public Config withCpus(int v) {
      return new Config(bufferSize, v, compressed, pointerSize, perfFreq, startTime, bootTime, headerTs,
          loggerName, logFileName, build, shuffleWindow, seed);
    }

    public Config withCompressed(boolean v) {
      return new Config(bufferSize, cpus, v, pointerSize, perfFreq, startTime, bootTime, headerTs,
          loggerName, logFileName, build, shuffleWindow, seed);
    }

    public Config withPointerSize(int v) {
      return new Config(bufferSize, cpus, compressed, v, perfFreq, startTime, bootTime, headerTs,
          loggerName, logFileName, build, shuffleWindow, seed);
    }

    public Config withShuffleWindow(int v) {
      return new Config(bufferSize, cpus, compressed, pointerSize, perfFreq, startTime, bootTime,
          headerTs, loggerName, logFileName, build, v, seed);
    }
  }

  private final Config c;
  private final FileChannel ch;
  private final byte[][] cur;
  private final ByteBuffer[] bb;
  private final int[] pos;
  private final long[] firstTs;
  private final List<byte[]> pending = new ArrayList<>();
  private final Random random;
  private long sequence = 1;
  private long written;
  private int buffersWritten = 1;
  private long lastTs;
  private final int ptrTypeOffset;

  public EtlWriter(Path out, Config config) throws IOException {
    if (config.bufferSize() < 4096 || config.bufferSize() > EtlFile.MAX_BUFFER || config.bufferSize() % 8 != 0) {
      throw new IllegalArgumentException("buffer size " + config.bufferSize());
    }
    this.c = config;
    this.ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    this.cur = new byte[c.cpus()][];
    this.bb = new ByteBuffer[c.cpus()];
    this.pos = new int[c.cpus()];
    this.firstTs = new long[c.cpus()];
    this.random = new Random(c.seed());
    this.ptrTypeOffset = c.pointerSize() == 4 ? -1 : 0;
    this.written = c.bufferSize(); // the header buffer is written last, at offset 0
    this.lastTs = c.headerTs();
  }

  public Config config() {
    return c;
  }

  // --------------------------------------------------------------- record kinds

  /** SYSTEM header (32 bytes), with optional 8-byte extension and PMC counters. */
  public void system(int cpu, int hookId, int version, int tid, int pid, long ts, byte[] payload,
      Long extension, long[] pmc) throws IOException {
    kernel(cpu, HeaderKind.SYSTEM64 + ptrTypeOffset, 32, hookId, version, tid, pid, ts, payload,
        extension, pmc);
  }

  public void system(int cpu, int hookId, int version, int tid, int pid, long ts, byte[] payload)
      throws IOException {
    system(cpu, hookId, version, tid, pid, ts, payload, null, null);
  }

  /** COMPACT header (24 bytes). */
  public void compact(int cpu, int hookId, int version, int tid, int pid, long ts, byte[] payload)
      throws IOException {
    kernel(cpu, HeaderKind.COMPACT64 + ptrTypeOffset, 24, hookId, version, tid, pid, ts, payload, null,
        null);
  }

  /** PERFINFO header (16 bytes, no thread or process id), with optional extension and PMCs. */
  public void perfInfo(int cpu, int hookId, int version, long ts, byte[] payload, Long extension,
      long[] pmc) throws IOException {
    kernel(cpu, HeaderKind.PERFINFO64 + ptrTypeOffset, 16, hookId, version, 0, 0, ts, payload,
        extension, pmc);
  }

  public void perfInfo(int cpu, int hookId, int version, long ts, byte[] payload) throws IOException {
    perfInfo(cpu, hookId, version, ts, payload, null, null);
  }

  private void kernel(int cpu, int type, int hdr, int hookId, int version, int tid, int pid, long ts,
      byte[] payload, Long extension, long[] pmc) throws IOException {
    int nPmc = pmc == null ? 0 : pmc.length;
    if (nPmc > 7) throw new IllegalArgumentException("at most 7 counters");
    int size = hdr + (extension != null ? 8 : 0) + 8 * nPmc + payload.length;
    ByteBuffer b = room(cpu, size, ts);
    int marker = 0xC0 << 24 | type << 16 | (extension != null ? 0x8000 : 0) | nPmc << 8 | (version & 0xFF);
    int at = b.position();
    b.putInt(marker).putShort((short) size).putShort((short) hookId);
    if (hdr == 16) {
      b.putLong(ts);
    } else {
      b.putInt(tid).putInt(pid).putLong(ts);
      if (hdr == 32) b.putInt(1).putInt(0);
    }
    if (extension != null) b.putLong(extension);
    for (int i = 0; i < nPmc; i++) b.putLong(pmc[i]);
    b.put(payload);
    end(cpu, at, size);
  }

  /** Classic EVENT_TRACE_HEADER (48 bytes) with a class GUID. */
  public void classic(int cpu, UUID guid, int type, int level, int version, int tid, int pid, long ts,
      byte[] payload) throws IOException {
    int size = 48 + payload.length;
    ByteBuffer b = room(cpu, size, ts);
    int at = b.position();
    int ht = c.pointerSize() == 4 ? HeaderKind.FULL_HEADER32 : HeaderKind.FULL_HEADER64;
    b.putShort((short) size).put((byte) ht).put((byte) 0xC0);
    b.put((byte) type).put((byte) level).putShort((short) version).putInt(tid).putInt(pid).putLong(ts);
    Guids.write(b, guid);
    b.putInt(1).putInt(0);
    b.put(payload);
    end(cpu, at, size);
  }

  /** EVENT_INSTANCE_GUID_HEADER (72 bytes): the classic header, instance ids, parent GUID. */
  public void instance(int cpu, UUID guid, int type, int level, int version, int tid, int pid, long ts,
      int instanceId, int parentInstanceId, UUID parentGuid, byte[] payload) throws IOException {
    int size = 72 + payload.length;
    ByteBuffer b = room(cpu, size, ts);
    int at = b.position();
    int ht = c.pointerSize() == 4 ? HeaderKind.INSTANCE32 : HeaderKind.INSTANCE64;
    b.putShort((short) size).put((byte) ht).put((byte) 0xC0);
    b.put((byte) type).put((byte) level).putShort((short) version).putInt(tid).putInt(pid).putLong(ts);
    Guids.write(b, guid);
    b.putInt(1).putInt(0).putInt(instanceId).putInt(parentInstanceId);
    Guids.write(b, parentGuid);
    b.put(payload);
    end(cpu, at, size);
  }

  /** EVENT_HEADER (80 bytes) with extended data items. */
  public void event(int cpu, UUID provider, int id, int version, int channel, int level, int opcode,
      int task, long keyword, int tid, int pid, long ts, List<ExtendedItem> items, byte[] payload)
      throws IOException {
    int ext = 0;
    for (ExtendedItem i : items) ext += (8 + i.data().remaining() + 7) & ~7;
    int size = 80 + ext + payload.length;
    ByteBuffer b = room(cpu, size, ts);
    int at = b.position();
    int flags = (items.isEmpty() ? 0 : 1) | (c.pointerSize() == 4 ? 0x20 : 0x40);
    b.putShort((short) size).put((byte) (c.pointerSize() == 4 ? HeaderKind.EVENT_HEADER32
        : HeaderKind.EVENT_HEADER64)).put((byte) 0xC0);
    b.putShort((short) flags).putShort((short) 0).putInt(tid).putInt(pid).putLong(ts);
    Guids.write(b, provider);
    b.putShort((short) id).put((byte) version).put((byte) channel).put((byte) level).put((byte) opcode)
        .putShort((short) task).putLong(keyword);
    b.putLong(0);
    b.putLong(0).putLong(0);
    for (int k = 0; k < items.size(); k++) {
      ByteBuffer d = items.get(k).data().duplicate();
      int itemSize = (8 + d.remaining() + 7) & ~7;
      int start = b.position();
      b.putShort((short) itemSize).putShort((short) items.get(k).extType())
          .putShort((short) (k + 1 < items.size() ? 1 : 0)).putShort((short) d.remaining());
      b.put(d);
      b.position(start + itemSize);
    }
    b.put(payload);
    end(cpu, at, size);
  }

  /** A WPP message (MESSAGE_TRACE_HEADER) with sequence, GUID, timestamp and thread/process ids. */
  public void wpp(int cpu, UUID guid, int messageNumber, int sequence, int tid, int pid, long ts,
      byte[] payload) throws IOException {
    int opt = 0x1 | 0x2 | 0x8 | 0x20;
    int size = EtlFile.wppHeaderSize(opt) + payload.length;
    ByteBuffer b = room(cpu, size, ts);
    int at = b.position();
    b.putShort((short) size).put((byte) 0).put((byte) 0x90);
    b.putShort((short) messageNumber).putShort((short) opt);
    b.putInt(sequence);
    Guids.write(b, guid);
    b.putLong(ts).putInt(tid).putInt(pid);
    b.put(payload);
    end(cpu, at, size);
  }

  // --------------------------------------------------------------- buffers

  private ByteBuffer room(int cpu, int size, long ts) throws IOException {
    if (size > c.bufferSize() - BufferHeader.SIZE || size > 0xFFFF) {
      throw new IllegalArgumentException("record of " + size + " bytes does not fit a buffer");
    }
    if (cur[cpu] != null && pos[cpu] + size > c.bufferSize()) flush(cpu);
    if (cur[cpu] == null) {
      cur[cpu] = new byte[c.bufferSize()];
      bb[cpu] = ByteBuffer.wrap(cur[cpu]).order(ByteOrder.LITTLE_ENDIAN);
      pos[cpu] = BufferHeader.SIZE;
      firstTs[cpu] = ts;
    }
    lastTs = Math.max(lastTs, ts);
    bb[cpu].position(pos[cpu]);
    return bb[cpu];
  }

  private void end(int cpu, int at, int size) {
    pos[cpu] = at + ((size + 7) & ~7);
  }

  private void flush(int cpu) throws IOException {
    byte[] b = cur[cpu];
    int used = pos[cpu];
    if (used < c.bufferSize()) Arrays.fill(b, used, b.length, (byte) 0xFF);
    header(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), c.bufferSize(), used, firstTs[cpu],
        sequence++, cpu, 0x20, BufferHeader.TYPE_GENERIC);
    cur[cpu] = null;
    byte[] disk = c.compressed() ? compress(b, used) : b;
    pending.add(disk);
    if (pending.size() >= Math.max(1, c.shuffleWindow())) writeOne();
  }

  private static byte[] compress(byte[] b, int used) {
    byte[] z = Xpress.compress(b, BufferHeader.SIZE, used - BufferHeader.SIZE);
    int size = (BufferHeader.SIZE + z.length + 7) & ~7;
    byte[] out = new byte[size];
    System.arraycopy(b, 0, out, 0, BufferHeader.SIZE);
    System.arraycopy(z, 0, out, BufferHeader.SIZE, z.length);
    ByteBuffer h = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0, size);
    h.putShort(0x34, (short) (h.getShort(0x34) | BufferHeader.FLAG_COMPRESSED));
    return out;
  }

  private void writeOne() throws IOException {
    byte[] b = pending.remove(pending.size() == 1 ? 0 : random.nextInt(pending.size()));
    ByteBuffer w = ByteBuffer.wrap(b);
    while (w.hasRemaining()) written += ch.write(w, written);
    buffersWritten++;
  }

  private void header(ByteBuffer b, int bufferSize, int saved, long ts, long seq, int cpu, int flag,
      int type) {
    b.putInt(0, bufferSize).putInt(4, saved).putInt(8, saved).putInt(0xC, 0).putLong(0x10, ts)
        .putLong(0x18, seq).putLong(0x20, 0).putInt(0x28, (cpu & 0xFFFF) | 0x40 << 16).putInt(0x2C, 3)
        .putInt(0x30, saved).putShort(0x34, (short) flag).putShort(0x36, (short) type)
        .putLong(0x38, 0).putLong(0x40, 0);
  }

  /** Flushes every processor's buffer, then writes the header buffer with the final counts. */
  @Override
  public void close() throws IOException {
    try {
      for (int cpu = 0; cpu < c.cpus(); cpu++) if (cur[cpu] != null) flush(cpu);
      while (!pending.isEmpty()) writeOne();
      byte[] h = new byte[c.bufferSize()];
      Arrays.fill(h, (byte) 0xFF);
      ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
      byte[] lf = logfileHeader();
      int size = 32 + lf.length;
      b.position(BufferHeader.SIZE);
      b.putInt(0xC0 << 24 | (HeaderKind.SYSTEM64 + ptrTypeOffset) << 16 | 2).putShort((short) size)
          .putShort((short) 0).putInt(4).putInt(4).putLong(c.headerTs()).putInt(0).putInt(0).put(lf);
      int used = BufferHeader.SIZE + ((size + 7) & ~7);
      header(b, c.bufferSize(), used, 0, 0, 0, 0x21, BufferHeader.TYPE_HEADER);
      ch.write(ByteBuffer.wrap(h), 0);
    } finally {
      ch.close();
    }
  }

  private byte[] logfileHeader() {
    boolean p32 = c.pointerSize() == 4;
    int shift = p32 ? -8 : 0;
    byte[] lname = LogfileHeader.utf16z(c.loggerName());
    byte[] fname = LogfileHeader.utf16z(c.logFileName());
    ByteBuffer p = ByteBuffer.allocate(0x118 + shift + lname.length + fname.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    long endTime = c.startTime() + (lastTs - c.headerTs()) * 10_000_000L / c.perfFreq();
    p.putInt(0, c.bufferSize()).putInt(4, 0x0501000A).putInt(8, c.build()).putInt(0xC, c.cpus())
        .putLong(0x10, endTime).putInt(0x18, 156250).putInt(0x1C, 0)
        .putInt(0x20, 0x1 | (c.compressed() ? LogfileHeader.COMPRESSED_MODE : 0))
        .putInt(0x24, buffersWritten).putInt(0x28, 1).putInt(0x2C, c.pointerSize()).putInt(0x30, 0)
        .putInt(0x34, 3000);
    int after = 0xF8 + shift;
    p.putLong(after, c.bootTime()).putLong(after + 8, c.perfFreq()).putLong(after + 0x10, c.startTime())
        .putInt(after + 0x18, 1).putInt(after + 0x1C, 0);
    p.position(after + 0x20);
    p.put(lname).put(fname);
    return p.array();
  }
}
