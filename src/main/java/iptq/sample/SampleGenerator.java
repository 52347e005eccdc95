package iptq.sample;

import iptq.etl.EtlWriter;
import iptq.etl.EventData;
import iptq.etl.IptOption;
import iptq.etl.KernelNames;
import iptq.etl.KernelPayloads;
import iptq.image.CodeViewRecord;
import iptq.image.KernelDumpWriter;
import iptq.image.MinidumpWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * {@code iptq sample}: a recorded-looking Windows session made from the sample's real binaries.
 * Each {@link Recording} is one WPR session written as an .etl file: rundown of the processes,
 * threads and kernel modules present at the start, then runs of sampapp.exe (process and thread
 * start/end, image loads with their RSDS records), each run executing the real compiled code in
 * the {@link Cpu interpreter} — user code, SYSCALL into the driver, the driver's calls into
 * ntstub.sys, SYSRET — while {@link ThreadTrace} writes the packets the processor would. At
 * every system-call exit and at the context switch of the {@code TICK} request the kernel events
 * are logged, and, where the recording's profile asks for it, an IPT event carrying the thread's
 * ring buffer as it is at that moment. Beside the .etl files: a minidump of the user process, a
 * live kernel dump (type 6) holding the kernel modules' code as in memory, and the true
 * instruction path of every IPT event ({@link Truth}). Everything is a function of the seed.
 */
public final class SampleGenerator {
  /** {@code events}: IPT events to write in all, spread over the recordings. */
  public record Options(long seed, int events) {
    public static final long DEFAULT_SEED = 7;
    public static final int DEFAULT_EVENTS = 24;
  }

  /** One WPR session's ProcessorTrace settings (see ingest/*.wprp). */
  public record Recording(String name, boolean user, int bufferKiB, boolean onSyscallExit,
      boolean onCSwitch, boolean timing, int tntMax, int switchEvery) {
    int bufferField() {
      return Integer.numberOfTrailingZeros(bufferKiB / 4);
    }

    /** IptOption as ipt.sys fills it: OptionVersion 1; TimingSettings 1 = MTC (winipt's
     * IPT_TIMING_SETTINGS); ModeSettings 1 = kernel only, 2 = user and kernel (IPT_MODE_SETTINGS). */
    IptOption option() {
      return IptOption.of(1, timing ? 1 : 0, timing ? 3 : 0, 0, bufferField(), 0, false, user ? 2 : 1);
    }
  }

  /** The recordings every sample has, covering the shapes WPR's profiles produce. */
  public static final List<Recording> RECORDINGS = List.of(
      new Recording("kernel-syscall", false, 4, true, false, false, 6, 0),
      new Recording("userkernel-both", true, 8, true, true, true, 47, 12),
      new Recording("kernel-cswitch", false, 32, true, true, true, 6, 3));

  /** System calls one run of sampapp.exe makes: 24 rounds of 14, and the final DEPTH. */
  private static final int EXITS_PER_RUN = 24 * 14 + 1;

  /** What was written. */
  public record Summary(List<Path> files, int iptEvents, int processes, long instructions,
      List<Integer> exitCodes) {}

  static final long TSC_HZ = 3_000_000_000L; // the ETL header says 3000 MHz (EtlWriter), and so does the TSC
  static final long QPC_HZ = 10_000_000L;
  private static final long SENTINEL = 0x00007FFF00001000L; // "ntdll" return address: the run ends there
  private static final int SYSTEM_PID = 4;

  private final Path bin;
  private final Path out;
  private final Options o;
  private final Random random;
  private final SampleImages images;
  private final Memory kernel = new Memory(null);
  private final KernelDumpWriter kdump = new KernelDumpWriter();
  private final Truth truth = new Truth();
  private final List<Path> files = new ArrayList<>();
  private long tsc;
  private long lastQpc;
  private int nextPid = 0x1A0;
  private int iptEvents;
  private int processes;
  private long instructions;
  private final List<Integer> exitCodes = new ArrayList<>();

  private SampleGenerator(Path bin, Path out, Options o) {
    this.bin = bin;
    this.out = out;
    this.o = o;
    this.random = new Random(o.seed());
    this.images = new SampleImages(bin, random);
    this.tsc = 0x0000_1234_0000_0000L + ((long) random.nextInt(1 << 20) << 12);
  }

  /** Writes the sample into {@code out} (created if needed). */
  public static Summary generate(Path bin, Path out, Options o) throws IOException {
    Files.createDirectories(out);
    SampleGenerator g = new SampleGenerator(bin, out, o);
    try {
      return g.run();
    } finally {
      g.images.close();
    }
  }

  private Summary run() throws IOException {
    for (SampleImages.Module m : images.kernelModules()) {
      kernel.load(m.base(), m.bytes());
      kdump.write(kdump.kernelCr3(), m.base(), m.bytes(), KernelDumpWriter.PageSize.K4);
      kdump.module(m.devicePath(), m.base(), m.size());
    }
    int left = o.events();
    for (int i = 0; i < RECORDINGS.size(); i++) {
      int quota = left / (RECORDINGS.size() - i);
      left -= quota;
      record(RECORDINGS.get(i), quota);
    }
    Path kd = out.resolve("kernel.dmp");
    kdump.comment("iptq sample: live kernel dump (seed " + o.seed() + ")");
    kdump.write(kd, 6);
    files.add(kd);
    Path t = out.resolve("truth.txt.gz");
    truth.write(t);
    files.add(t);
    return new Summary(files, iptEvents, processes, instructions, exitCodes);
  }

  private long qpc() {
    // Event timestamps in QPC ticks; distinct events never share one unless they belong together.
    long q = 1_000_000L + tsc / (TSC_HZ / QPC_HZ);
    lastQpc = Math.max(q, lastQpc + 1);
    return lastQpc;
  }

  // ---- one recording -----------------------------------------------------------------------

  private final class Session {
    final Recording rec;
    final EtlWriter w;
    final String file;
    int quota;

    Session(Recording rec, EtlWriter w, int quota) {
      this.rec = rec;
      this.w = w;
      this.quota = quota;
      this.file = rec.name() + ".etl";
    }
  }

  private void record(Recording rec, int quota) throws IOException {
    Path etl = out.resolve(rec.name() + ".etl");
    tsc += TSC_HZ / 1000 * (5 + random.nextInt(20)); // some milliseconds between recordings
    long headerTs = qpc();
    EtlWriter.Config cfg = new EtlWriter.Config(65536, 2, false, 8, QPC_HZ,
        133_760_000_000_000_000L + headerTs * 10, 133_759_000_000_000_000L, headerTs, "iptq sample",
        "C:\\iptq\\" + rec.name() + ".etl", 19045, 4, o.seed());
    Path dumpPath = out.resolve(rec.name() + "-sampapp.dmp");
    MinidumpWriter md = null;
    try (EtlWriter w = new EtlWriter(etl, cfg)) {
      Session s = new Session(rec, w, quota);
      rundown(s);
      do {
        md = runProcess(s);
      } while (s.quota > 0);
    }
    md.write(dumpPath);
    files.add(etl);
    files.add(dumpPath);
  }

  private void rundown(Session s) throws IOException {
    EtlWriter w = s.w;
    long t = qpc();
    w.system(0, 0x0303, 4, 8, SYSTEM_PID, t, KernelPayloads.process(8, new EventData.Process(
        0xFFFFC00000001000L, SYSTEM_PID, 0, -1, 0, kdump.kernelCr3(), 0, "S-1-5-18", "System", "", null, null)));
    w.system(0, 0x0503, 3, 8, SYSTEM_PID, t, KernelPayloads.thread(8, new EventData.Thread(
        SYSTEM_PID, 8, 0xFFFFD00000010000L, 0xFFFFD0000000A000L, 0, 0, 0, images.ntstub.export("KeQueryTickCount"), 0, 0, false)));
    for (SampleImages.Module m : images.kernelModules()) image(w, 0x1403, 0, t, m);
  }

  private void image(EtlWriter w, int hook, int pid, long t, SampleImages.Module m) throws IOException {
    w.perfInfo(0, hook, 3, t, KernelPayloads.image(8, new EventData.Image(m.base(), m.size(), pid,
        (int) m.pe().checkSum(), (int) m.pe().timeDateStamp(), m.pe().imageBase(), m.devicePath())));
    CodeViewRecord cv = m.codeView();
    w.classic(0, KernelNames.IMAGE_ID, 36, 4, 2, -1, pid, t, KernelPayloads.dbgIdRsds(8,
        new EventData.DbgIdRsds(m.base(), pid, UUID.fromString(cv.guidString()), cv.age(), cv.pdbName())));
  }

  // ---- one run of sampapp.exe ----------------------------------------------------------------

  private MinidumpWriter runProcess(Session s) throws IOException {
    EtlWriter w = s.w;
    processes++;
    int pid = nextPid += 4 * (1 + random.nextInt(64));
    int tid = pid + 4 * (1 + random.nextInt(16));
    long cr3 = kdump.newAddressSpace();
    long stackTop = 0x0000_0010_0000_0000L + ((long) random.nextInt(0x1000) << 20);
    long teb = 0x0000_0080_0000_0000L + ((long) random.nextInt(0x1000) << 16);
    tsc += TSC_HZ / 1000 * (1 + random.nextInt(4));
    long t = qpc();
    String cmd = "C:\\iptq\\sample\\sampapp.exe";
    w.system(0, 0x0301, 4, tid, pid, t, KernelPayloads.process(8, new EventData.Process(
        0xFFFFC00000100000L + pid * 0x1000L, pid, 0x1A0, 1, 0, cr3, 0, "S-1-5-21-1004336348-1177238915-682003330-1001",
        "sampapp.exe", "\"" + cmd + "\"", null, null)));
    w.system(0, 0x0501, 3, tid, pid, t, KernelPayloads.thread(8, new EventData.Thread(pid, tid,
        0xFFFFD00000200000L + tid * 0x10000L, 0xFFFFD001FFF9A000L + tid * 0x10000L, stackTop, stackTop - 0x10000,
        0, images.sampapp.base() + images.sampapp.pe().entryPoint(), teb, 0, false)));
    for (SampleImages.Module m : images.userModules()) image(w, 0x140A, pid, t, m);

    Memory mem = new Memory(kernel);
    for (SampleImages.Module m : images.userModules()) mem.load(m.base(), m.bytes());
    mem.reserve(stackTop - 0x10000, 0x10000);
    Cpu cpu = new Cpu(mem);
    cpu.lstar = images.sampdrv.export("SampKiSystemCall64");
    cpu.r[Cpu.RSP] = stackTop - 0x28;
    cpu.push(SENTINEL);
    cpu.rip = images.sampapp.base() + images.sampapp.pe().entryPoint();
    long serviceRoutine = images.sampdrv.export("SampSystemService");
    long tick = images.ntstub.export("KeQueryTickCount");

    ThreadTrace.Config tc = new ThreadTrace.Config(s.rec.user(), true, 2048, s.rec.timing(), 3, s.rec.tntMax());
    tsc += 2000 + random.nextInt(2000);
    cswitch(w, t = qpc(), tid, 0, pid, false);
    ThreadTrace trace = new ThreadTrace(tc, cr3);
    int stream = truth.newStream();
    trace.start(cpu.rip, cpu.cpl, tsc);
    boolean inTick = false;
    long steps = 0;
    int exits = 0;
    int ticks = 0;
    int phase = s.rec.switchEvery() == 0 ? 0 : random.nextInt(s.rec.switchEvery());
    while (cpu.rip != SENTINEL) {
      if (++steps > 50_000_000L) throw new IllegalStateException("sampapp did not finish");
      if (cpu.cpl == 0 && mem.u8(cpu.rip) == 0x48 && mem.u8(cpu.rip + 1) == 0x0F && mem.u8(cpu.rip + 2) == 0x07) {
        // KiSystemServiceExit logs SystemCallExit just before SYSRET.
        t = qpc();
        w.perfInfo(0, 0x0F34, 2, t, KernelPayloads.systemCallExit(0));
        // A real recording has an IPT event at every one; the sample keeps a seeded subset,
        // spread over the run, so it stays small (--events sets how many).
        exits++;
        boolean keep = s.quota > 0 && random.nextInt(Math.max(1, EXITS_PER_RUN - exits)) < s.quota;
        if (s.rec.onSyscallExit() && keep) ipt(s, trace, stream, t, pid, tid, "SystemCallExit");
      }
      int cpl = cpu.cpl;
      cpu.step();
      tsc++;
      instructions++;
      trace.executed(cpu, cpl, tsc);
      if (cpu.flow == Cpu.Flow.SYSCALL) {
        w.perfInfo(0, 0x0F33, 2, qpc(), KernelPayloads.systemCallEnter(8, serviceRoutine));
      } else if (cpu.flow == Cpu.Flow.CALL && cpu.rip == tick) {
        inTick = true;
      } else if (cpu.flow == Cpu.Flow.RET && inTick) {
        // The TICK request yields; when another thread is ready (every switchEvery-th time, from
        // a seeded phase) the thread is
        // switched out in the kernel and back in later, and its trace buffer starts afresh
        // (ipt.sys keeps "all trace data from the last context switch").
        inTick = false;
        if (s.rec.switchEvery() == 0 || (++ticks + phase) % s.rec.switchEvery() != 0) continue;
        t = qpc();
        cswitch(w, t, 0, tid, pid, true);
        if (s.rec.onCSwitch() && s.quota > 0) ipt(s, trace, stream, t, pid, tid, "CSwitch");
        truth.endStream(stream, trace.traced());
        tsc += TSC_HZ / 10_000 * (1 + random.nextInt(5));
        cswitch(w, qpc(), tid, 0, pid, false);
        trace = new ThreadTrace(tc, cr3);
        stream = truth.newStream();
        trace.start(cpu.rip, cpu.cpl, tsc);
      }
    }
    truth.endStream(stream, trace.traced());
    int exit = (int) cpu.r[Cpu.RAX];
    exitCodes.add(exit);
    t = qpc();
    w.system(0, 0x0502, 3, tid, pid, t, KernelPayloads.thread(8, new EventData.Thread(pid, tid,
        0xFFFFD00000200000L + tid * 0x10000L, 0xFFFFD001FFF9A000L + tid * 0x10000L, stackTop, stackTop - 0x10000,
        0, images.sampapp.base() + images.sampapp.pe().entryPoint(), teb, 0, false)));
    w.system(0, 0x0302, 4, tid, pid, t, KernelPayloads.process(8, new EventData.Process(
        0xFFFFC00000100000L + pid * 0x1000L, pid, 0x1A0, 1, exit, cr3, 0, "S-1-5-21-1004336348-1177238915-682003330-1001",
        "sampapp.exe", "\"" + cmd + "\"", null, null)));
    cswitch(w, qpc(), 0, tid, pid, true);

    // The process dump, as procdump -ma takes it: the modules with their code as in memory.
    MinidumpWriter md = new MinidumpWriter().systemInfo(9, 10, 0, 19045, 2).processId(pid)
        .timeDateStamp(1_700_000_000L + t / QPC_HZ);
    for (SampleImages.Module m : images.userModules()) {
      md.module(new MinidumpWriter.ModuleSpec(m.devicePath().replace("\\Device\\HarddiskVolume3", "C:"),
          m.base(), m.size(), m.pe().checkSum(), m.pe().timeDateStamp(), m.codeView()));
      md.memory(m.base(), m.bytes());
    }
    md.thread(new MinidumpWriter.ThreadSpec(tid, teb, SENTINEL, cpu.r[Cpu.RSP]));
    return md;
  }

  private void cswitch(EtlWriter w, long t, int newTid, int oldTid, int pid, boolean out) throws IOException {
    // WaitReason 7 = WrQueue-ish voluntary wait for the yield; the idle thread is tid 0.
    w.compact(0, 0x0524, 2, out ? oldTid : newTid, out ? pid : 0, t, KernelPayloads.cswitch(
        new EventData.CSwitch(newTid, oldTid, 8, 8, 0, out ? 7 : 0, 0, out ? 5 : 0, 0, 0)));
  }

  private void ipt(Session s, ThreadTrace trace, int stream, long t, int pid, int tid, String trigger)
      throws IOException {
    ThreadTrace.Snapshot snap = trace.snapshot(s.rec.bufferKiB() * 1024);
    s.w.system(0, KernelPayloads.SAMPLE_IPT_HOOK, 2, tid, pid, t,
        KernelPayloads.ipt(t, pid, tid, s.rec.option(), snap.position(), snap.data()));
    truth.segment(s.file, t, pid, tid, trigger, stream, snap);
    s.quota--;
    iptEvents++;
  }
}
