package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Write → read → the same events, for every record kind, out-of-order buffers, compression. */
class EtlWriterRoundTripTest {
  @TempDir Path dir;

  /** What was written, to compare with what is read. */
  record Written(int index, HeaderKind kind, int cpu, long ts, int pid, int tid, int hookId,
      int version, byte[] payload, Map<String, Object> fields, UUID provider, int opcodeOrId) {}

  static final UUID PROVIDER = UUID.fromString("0cd1c309-0878-4515-83db-749843b3f5c9");
  static final UUID CLASSIC = UUID.fromString("11111111-2222-3333-4444-555555555555");

  static byte[] rand(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /** Writes a file holding every record kind on several processors; returns what was written. */
  static List<Written> writeAll(Path file, EtlWriter.Config cfg, int rounds) throws Exception {
    Random r = new Random(7);
    List<Written> out = new ArrayList<>();
    int ptr = cfg.pointerSize();
    // Addresses as a 32-bit trace holds them.
    java.util.function.LongUnaryOperator a = v -> ptr == 4 ? v & 0xFFFFFFFFL : v;
    try (EtlWriter w = new EtlWriter(file, cfg)) {
      long[] ts = new long[cfg.cpus()];
      for (int cpu = 0; cpu < cfg.cpus(); cpu++) ts[cpu] = cfg.headerTs() + 10 + cpu;
      for (int i = 0; i < rounds; i++) {
        int cpu = r.nextInt(cfg.cpus());
        ts[cpu] += 1 + r.nextInt(50);
        long t = ts[cpu];
        int pid = 100 + r.nextInt(5);
        int tid = 1000 + r.nextInt(20);
        switch (r.nextInt(13)) {
          case 0 -> {
            EventData.Process p = new EventData.Process(a.applyAsLong(0xffffa0001234L + i), pid, 4, 1, 0,
                0x1aa000L + 0x1000L * i, 0, r.nextBoolean() ? null : "S-1-5-21-1-2-3-1000",
                "app" + i + ".exe", "app" + i + ".exe --flag", "", "");
            byte[] pl = KernelPayloads.process(ptr, p);
            w.system(cpu, 0x0301, 4, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.SYSTEM, cpu, t, pid, tid, 0x0301, 4, pl, p.fields(), null, 1));
          }
          case 1 -> {
            EventData.Thread th = new EventData.Thread(pid, tid, a.applyAsLong(0xffff800000010000L), a.applyAsLong(0xffff80000000c000L),
                0, 0, 0, a.applyAsLong(0x7ff700001000L + i), a.applyAsLong(0x7ffd0000L), 0, false);
            byte[] pl = KernelPayloads.thread(ptr, th);
            w.system(cpu, 0x0503, 3, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.SYSTEM, cpu, t, pid, tid, 0x0503, 3, pl, th.fields(), null, 3));
          }
          case 2 -> {
            EventData.CSwitch c = new EventData.CSwitch(tid, tid + 1, 8, 9, 0, 6, 1, 5, 0, 1234);
            byte[] pl = KernelPayloads.cswitch(c);
            w.compact(cpu, 0x0524, 2, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.COMPACT, cpu, t, pid, tid, 0x0524, 2, pl, c.fields(), null, 36));
          }
          case 3 -> {
            EventData.Image im = new EventData.Image(a.applyAsLong(0x7ff800000000L + 0x10000L * i), 0x1e1000, pid, 0x1234,
                0x5f000000 + i, a.applyAsLong(0x180000000L), "\\Device\\HarddiskVolume3\\Windows\\System32\\m" + i + ".dll");
            byte[] pl = KernelPayloads.image(ptr, im);
            w.perfInfo(cpu, 0x1403, 3, t, pl, r.nextBoolean() ? 0x1122334455L : null,
                r.nextBoolean() ? new long[] {i, 2L * i, 3L * i} : null);
            out.add(new Written(i, HeaderKind.PERFINFO, cpu, t, -1, -1, 0x1403, 3, pl, im.fields(), null, 3));
          }
          case 4 -> {
            byte[] pl = KernelPayloads.systemCallExit(0xC0000022);
            w.perfInfo(cpu, 0x0F34, 2, t, pl);
            out.add(new Written(i, HeaderKind.PERFINFO, cpu, t, -1, -1, 0x0F34, 2, pl,
                new EventData.SystemCallExit(0xC0000022).fields(), null, 52));
          }
          case 5 -> {
            EventData.StackWalk s = new EventData.StackWalk(t - 1, pid, tid,
                new long[] {a.applyAsLong(0xfffff80212345678L), a.applyAsLong(0x7ff812340000L + i)});
            byte[] pl = KernelPayloads.stackWalk(ptr, s);
            w.system(cpu, 0x1820, 2, tid, pid, t, pl, 0xABCDL, new long[] {99});
            out.add(new Written(i, HeaderKind.SYSTEM, cpu, t, pid, tid, 0x1820, 2, pl, s.fields(), null, 32));
          }
          case 6 -> {
            EventData.DbgIdRsds d = new EventData.DbgIdRsds(a.applyAsLong(0x7ff800000000L), pid,
                UUID.fromString("f535c5fb-2ae8-4bb8-aa20-6c30be566c5a"), 1, "CrashWithException.pdb");
            byte[] pl = KernelPayloads.dbgIdRsds(ptr, d);
            w.classic(cpu, KernelNames.IMAGE_ID, 36, 4, 2, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.TRACE, cpu, t, pid, tid, -1, 2, pl, d.fields(),
                KernelNames.IMAGE_ID, 36));
          }
          case 7 -> {
            byte[] pl = rand(r, r.nextInt(40));
            w.instance(cpu, CLASSIC, 5, 4, 1, tid, pid, t, 7, 3, CLASSIC, pl);
            out.add(new Written(i, HeaderKind.INSTANCE, cpu, t, pid, tid, -1, 1, pl, Map.of(), CLASSIC, 5));
          }
          case 8 -> {
            byte[] pl = rand(r, r.nextInt(60));
            ByteBuffer traits = ByteBuffer.wrap(new byte[] {8, 0, 'P', 'r', 'o', 'v', 0, 0});
            w.event(cpu, PROVIDER, 17, 1, 11, 4, 0, 3, 0x8000L, tid, pid, t,
                List.of(new ExtendedItem(ExtendedItem.PROV_TRAITS, traits),
                    new ExtendedItem(ExtendedItem.STACK_TRACE64, ByteBuffer.wrap(rand(r, 24)))), pl);
            out.add(new Written(i, HeaderKind.EVENT, cpu, t, pid, tid, -1, 1, pl, Map.of(), PROVIDER, 17));
          }
          case 9 -> {
            byte[] pl = rand(r, r.nextInt(30));
            w.wpp(cpu, PROVIDER, 42, i, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.WPP, cpu, t, pid, tid, -1, 0, pl, Map.of(), PROVIDER, 42));
          }
          case 11 -> {
            int v = 2 + r.nextInt(2);
            EventData.Process p = new EventData.Process(a.applyAsLong(0xffffa0005678L + i), pid, 4, 2, 0,
                v == 3 ? 0x3bb000L + 0x1000L * i : 0, 0, "S-1-5-18", "old" + i + ".exe", "old" + i + ".exe /o",
                null, null);
            byte[] pl = KernelPayloads.processOld(ptr, v, p);
            w.system(cpu, 0x0303, v, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.SYSTEM, cpu, t, pid, tid, 0x0303, v, pl, p.fields(), null, 3));
          }
          case 10 -> {
            // Version 2 threads carry the kernel start address (later versions have Affinity there).
            EventData.Thread th = new EventData.Thread(pid, tid, a.applyAsLong(0xffff800000010000L),
                a.applyAsLong(0xffff80000000c000L), 0, 0, a.applyAsLong(0xfffff80212000000L + i),
                a.applyAsLong(0x7ff700001000L + i), a.applyAsLong(0x7ffd0000L), 3, true);
            byte[] pl = KernelPayloads.threadV2(ptr, th);
            w.system(cpu, 0x0501, 2, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.SYSTEM, cpu, t, pid, tid, 0x0501, 2, pl, th.fields(), null, 1));
          }
          default -> {
            byte[] pl = rand(r, 8 + r.nextInt(100));
            w.classic(cpu, CLASSIC, 9, 4, 0, tid, pid, t, pl);
            out.add(new Written(i, HeaderKind.TRACE, cpu, t, pid, tid, -1, 0, pl, Map.of(), CLASSIC, 9));
          }
        }
      }
    }
    out.sort(Comparator.comparingLong(Written::ts).thenComparingInt(Written::cpu)
        .thenComparingInt(Written::index));
    return out;
  }

  @ParameterizedTest
  @CsvSource({"4096,3,false,8,4", "4096,4,true,8,4", "8192,2,false,4,1", "65536,4,true,8,3"})
  void everyRecordKindRoundTrips(int bufferSize, int cpus, boolean compressed, int ptr, int shuffle)
      throws Exception {
    Path f = dir.resolve("rt.etl");
    EtlWriter.Config cfg = EtlWriter.Config.defaults().withBufferSize(bufferSize).withCpus(cpus)
        .withCompressed(compressed).withPointerSize(ptr).withShuffleWindow(shuffle);
    List<Written> expected = writeAll(f, cfg, 3000);
    try (EtlFile in = EtlFile.open(f)) {
      LogfileHeader h = in.header();
      assertEquals(bufferSize, h.bufferSize());
      assertEquals(cpus, h.numberOfProcessors());
      assertEquals(ptr, h.pointerSize());
      assertEquals(compressed, h.compressed());
      assertEquals("iptq sample", h.loggerName());
      assertEquals(h.buffersWritten(), in.buffers().size());
      assertTrue(in.buffers().size() > cpus, "several buffers per processor");
      if (compressed) assertEquals(in.buffers().size() - 1, in.stats().compressedBuffers());
      assertEquals(0, in.readEvent().hookId(), "the logfile header comes first");
      for (Written w : expected) {
        EtlEvent e = in.readEvent();
        String at = "event " + w.index() + " " + w.kind();
        assertEquals(w.kind(), e.kind(), at);
        assertEquals(w.cpu(), e.cpu(), at);
        assertEquals(w.ts(), e.rawTs(), at);
        assertEquals(w.ts() - cfg.headerTs(), e.ts() / 100, at);
        assertEquals(w.pid(), e.pid(), at);
        assertEquals(w.tid(), e.tid(), at);
        if (w.hookId() >= 0) assertEquals(w.hookId(), e.hookId(), at);
        assertEquals(w.version(), e.version(), at);
        byte[] got = new byte[e.payloadSize()];
        e.payload().duplicate().get(got);
        assertArrayEquals(w.payload(), got, at);
        if (!w.fields().isEmpty()) {
          assertEquals(String.valueOf(w.fields()), String.valueOf(e.data().fields()), at);
        }
        if (w.provider() != null) assertEquals(w.provider(), e.provider(), at);
        if (w.kind() == HeaderKind.EVENT) {
          assertEquals(17, e.eventId());
          assertEquals("Prov", e.providerName());
          assertEquals(2, e.extended().size());
          assertEquals(ExtendedItem.STACK_TRACE64, e.extended().get(1).extType());
        }
        if (w.kind() == HeaderKind.WPP) assertEquals(42, e.eventId(), at);
        if (w.kind() == HeaderKind.TRACE || w.kind() == HeaderKind.INSTANCE) {
          assertEquals(w.opcodeOrId(), e.opcode(), at);
        }
        if (w.hookId() == 0x1820) {
          assertEquals(0xABCDL, e.pebsIndex());
          assertArrayEquals(new long[] {99}, e.pmc());
        }
      }
      assertTrue(!in.hasMoreEvents());
      EtlStats s = in.stats();
      assertEquals(0, s.badRecords() + s.unknownRecords() + s.corruptBuffers() + s.undecodablePayloads()
          + s.trailingBytes());
    }
  }

  // ------------------------------------------------------------------ IPT

  static byte[] traceBytes(Random r, int size, int... psbAt) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      int v = r.nextInt(256);
      b[i] = (byte) (v == 0x02 ? 0x03 : v);
    }
    for (int p : psbAt) {
      for (int i = 0; i < 16; i++) b[(p + i) % size] = (byte) ((i & 1) == 0 ? 0x02 : 0x82);
    }
    return b;
  }

  @Test
  void iptEventsBecomeSegmentsLinkedToTheirKernelEvents() throws Exception {
    Path f = dir.resolve("ipt.etl");
    Random r = new Random(3);
    IptOption opt = IptOption.of(1, 2, 3, 0, 0, 1, false, 1); // 4 KiB buffer, kernel code
    byte[] small = traceBytes(r, 1000, 0, 500);
    byte[] wrapped = traceBytes(r, 4096, 100, 3000);
    byte[] wrappedAtEnd = traceBytes(r, 4096, 4090); // the PSB itself wraps around the end
    byte[] noPsb = traceBytes(r, 4096);
    long base = EtlWriter.Config.defaults().headerTs();
    try (EtlWriter w = new EtlWriter(f, EtlWriter.Config.defaults().withCpus(2).withBufferSize(16384))) {
      w.system(0, 0x0501, 3, 77, 10, base + 1, KernelPayloads.thread(8,
          new EventData.Thread(10, 77, 0, 0, 0, 0, 0, 0, 0, 0, false)));
      w.compact(0, 0x0524, 2, 77, 10, base + 5, KernelPayloads.cswitch(
          new EventData.CSwitch(77, 0, 8, 0, 0, 0, 0, 0, 0, 0)));
      int hook = KernelPayloads.SAMPLE_IPT_HOOK;
      w.system(0, hook, 2, 77, 10, base + 5, KernelPayloads.ipt(base + 5, 10, 77, opt, 1000, small));
      w.perfInfo(0, 0x0F34, 2, base + 20, KernelPayloads.systemCallExit(0));
      w.system(0, hook, 2, 77, 10, base + 21, KernelPayloads.ipt(base + 20, 10, 77, opt, 2000, wrapped));
      w.perfInfo(0, 0x0F34, 2, base + 30, KernelPayloads.systemCallExit(0));
      w.system(0, hook, 2, 77, 10, base + 30, KernelPayloads.ipt(base + 30, 10, 77, opt, 10, wrappedAtEnd));
      w.perfInfo(0, 0x0F34, 2, base + 40, KernelPayloads.systemCallExit(0));
      w.system(0, hook, 2, 77, 10, base + 40, KernelPayloads.ipt(base + 40, 10, 77, opt, 10, noPsb));
      // IPT-shaped, but its thread is unknown and no event has its timestamp: not confirmed.
      w.system(1, hook, 2, 99, 11, base + 50, KernelPayloads.ipt(base + 49, 11, 99, opt, 0, small));
    }
    List<IptSegment> segs = new ArrayList<>();
    IptSegments ipt;
    List<EtlEvent> events = new ArrayList<>();
    try (EtlFile in = EtlFile.open(f)) {
      ipt = new IptSegments(in.header(), -1);
      while (in.hasMoreEvents()) {
        EtlEvent e = in.readEvent();
        events.add(e);
        ipt.accept(e).ifPresent(segs::add);
      }
    }
    assertEquals(4, segs.size());
    IptSegment a = segs.get(0);
    assertEquals("CSwitch", a.trigger());
    assertEquals(events.stream().filter(e -> e.hookId() == 0x0524).findFirst().orElseThrow().ordinal(),
        a.triggerEventId());
    assertEquals(false, a.wrapped());
    assertEquals(0, a.skippedBytes());
    assertArrayEquals(small, bytes(a.data()));
    assertEquals(77, a.tid());
    assertEquals(10, a.pid());
    assertEquals(500, a.ts());
    assertEquals(4096, a.bufferSize());
    assertEquals(opt, a.option());
    assertEquals(1, a.option().traceMode());
    assertEquals(2, a.option().timeMode());
    assertEquals(3, a.option().mtcFreq());
    assertEquals(1, a.option().traceCodeMode());

    IptSegment b = segs.get(1);
    assertEquals("SystemCallExit", b.trigger());
    assertTrue(b.wrapped());
    assertEquals(3000 - 2000, b.skippedBytes());
    byte[] expect = new byte[4096 - 1000];
    System.arraycopy(wrapped, 3000, expect, 0, 1096);
    System.arraycopy(wrapped, 0, expect, 1096, 2000);
    assertArrayEquals(expect, bytes(b.data()));

    IptSegment c = segs.get(2);
    assertEquals(4080, c.skippedBytes());
    assertEquals(16, c.data().remaining());
    assertArrayEquals(new byte[] {2, (byte) 0x82, 2, (byte) 0x82}, java.util.Arrays.copyOf(bytes(c.data()), 4));

    IptSegment d = segs.get(3);
    assertEquals(4096, d.skippedBytes());
    assertEquals(0, d.data().remaining());

    IptSegments.HookFinding h = ipt.findings().get(KernelPayloads.SAMPLE_IPT_HOOK);
    assertEquals(5, h.candidates());
    assertEquals(4, h.confirmed());
    assertEquals(4, h.linked());

    // Named explicitly, the hook's events are all segments, linked where possible.
    try (EtlFile in = EtlFile.open(f, new EtlFile.Options(KernelPayloads.SAMPLE_IPT_HOOK))) {
      IptSegments forced = new IptSegments(in.header(), KernelPayloads.SAMPLE_IPT_HOOK);
      List<IptSegment> all = new ArrayList<>();
      while (in.hasMoreEvents()) forced.accept(in.readEvent()).ifPresent(all::add);
      assertEquals(5, all.size());
      assertNull(all.get(4).trigger());
      assertEquals(-1, all.get(4).triggerEventId());
    }
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] x = new byte[b.remaining()];
    b.duplicate().get(x);
    return x;
  }

  @Test
  void writerIsDeterministic() throws Exception {
    Path a = dir.resolve("a.etl");
    Path b = dir.resolve("b.etl");
    EtlWriter.Config cfg = EtlWriter.Config.defaults().withBufferSize(4096).withCompressed(true);
    writeAll(a, cfg, 500);
    writeAll(b, cfg, 500);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(a)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(BufferHeader.TYPE_HEADER, h.getShort(0x36));
  }
}
