package iptq.ingest;

import iptq.etl.EtlEvent;
import iptq.etl.EventData;
import iptq.etl.IptSegment;
import iptq.etl.LogfileHeader;
import iptq.table.EventsTable;
import iptq.table.JsonText;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import iptq.table.SegmentsTable;
import iptq.table.TableWriter;
import iptq.table.ThreadsTable;
import iptq.table.TracesTable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Maps the ETL reader's records onto the {@code events}, {@code processes}, {@code threads},
 * {@code modules}, {@code traces} and {@code segments} tables. Feed every event in time order
 * to {@link #accept}; {@link #finish} writes the lifetimes (a process, thread or module becomes
 * one row from its first Start/DCStart/Load to its End/DCEnd/Unload).
 *
 * <p>Keys: {@code events.event_id = eventIdBase + ordinal} (ordinal from 1 in time order), and
 * {@code modules.module_id = moduleIdBase + n}; the caller picks bases unique in the database.
 */
public final class EtlTables {
  private final int traceId;
  private final long eventIdBase;
  private final long moduleIdBase;
  private final EventsTable events;
  private final Consumer<ProcessesTable.Process> processes;
  private final ThreadsTable threads;
  private final Consumer<ModulesTable.Module> modules;

  private final Map<Integer, Proc> liveProcs = new HashMap<>();
  private final Map<Integer, Thr> liveThreads = new HashMap<>();
  private final Map<Long, Mod> liveModules = new LinkedHashMap<>();
  private final Map<Long, EventData.DbgIdRsds> rsds = new HashMap<>();
  private long modulesWritten;

  private static final long NULL = TableWriter.NULL;

  private static final class Proc {
    EventData.Process p;
    long start = NULL;
    long end = NULL;
    long exit = NULL;
  }

  private static final class Thr {
    EventData.Thread t;
    long start = NULL;
    long end = NULL;
  }

  private static final class Mod {
    EventData.Image i;
    long load = NULL;
    long unload = NULL;
  }

  /** Any writer may be null to skip that table. */
  public EtlTables(int traceId, long eventIdBase, long moduleIdBase, EventsTable events,
      Consumer<ProcessesTable.Process> processes, ThreadsTable threads,
      Consumer<ModulesTable.Module> modules) {
    this.traceId = traceId;
    this.eventIdBase = eventIdBase;
    this.moduleIdBase = moduleIdBase;
    this.events = events;
    this.processes = processes;
    this.threads = threads;
    this.modules = modules;
  }

  /** The {@code traces} row of an .etl file. */
  public static TracesTable.Trace trace(int traceId, Path path, long sizeBytes, LogfileHeader h) {
    return new TracesTable.Trace(traceId, path.toAbsolutePath().toString(), "etl", sizeBytes, startNanos(h),
        h.clockName(), h.clockFrequency(), h.numberOfProcessors(), h.providerVersion(), h.loggerName());
  }

  /** ts = 0 of the trace as ns since the Unix epoch (UTC): the header's StartTime, a FILETIME. */
  public static long startNanos(LogfileHeader h) {
    return (h.startTime() - 116_444_736_000_000_000L) * 100;
  }

  /** Gives the events rows their {@code time_utc}: ts = 0 is {@code epochNanos} (see {@link #startNanos}). */
  public EtlTables startTime(long epochNanos) {
    this.startNanos = epochNanos;
    return this;
  }

  private long startNanos = NULL;
  /** The thread each processor runs, from the last CSwitch on it (NewThreadId); -1 before one. */
  private int[] threadOnCpu = new int[0];

  /** The {@code events} row of one event. */
  public EventsTable.Event eventRow(EtlEvent e) {
    Map<String, Object> f = e.data().fields();
    long pid = e.pid() < 0 ? NULL : e.pid(), tid = e.tid() < 0 ? NULL : e.tid();
    String source = "header";
    if (tid == NULL) {
      // PERFINFO headers (system calls, image loads, ...) carry no thread. Where the payload
      // names the process (or thread), take it from there; else the event happened on the thread
      // its processor was running, as WPA attributes it.
      EventData d = e.data();
      if (d instanceof EventData.Image i) {
        pid = i.pid();
        source = "payload";
      } else if (d instanceof EventData.DbgIdRsds r) {
        pid = r.pid();
        source = "payload";
      } else if (d instanceof EventData.ImageId i) {
        pid = i.pid();
        source = "payload";
      } else if (d instanceof EventData.Thread t) {
        pid = t.pid();
        tid = t.tid();
        source = "payload";
      } else if (d instanceof EventData.Process p && e.group() == 0x03) {
        pid = p.pid();
        source = "payload";
      } else if (d instanceof EventData.CSwitch c) {
        tid = c.newThreadId();
        pid = pidOfThread(c.newThreadId());
        source = "payload";
      } else {
        int running = e.cpu() >= 0 && e.cpu() < threadOnCpu.length ? threadOnCpu[e.cpu()] : -1;
        if (running >= 0) {
          tid = running;
          pid = pidOfThread(running);
          source = "cswitch";
        } else {
          source = pid == NULL ? null : "header";
        }
      }
    }
    return new EventsTable.Event(eventIdBase + e.ordinal(), traceId, e.ts(), e.cpu(), pid,
        tid, e.providerText(), e.name(), e.opcode(),
        e.hookId() < 0 ? NULL : e.hookId(), e.kind().sqlName(), e.version(), e.payloadSize(),
        f.isEmpty() ? null : JsonText.of(f), source, startNanos == NULL ? NULL : startNanos + e.ts());
  }

  /** The process of a live thread (the threads rows so far); the idle thread 0 is process 0. */
  private long pidOfThread(int tid) {
    Thr t = liveThreads.get(tid);
    if (t != null) return t.t.pid();
    return tid == 0 ? 0 : NULL;
  }

  public void accept(EtlEvent e) {
    if (e.data() instanceof EventData.CSwitch c && e.cpu() >= 0) {
      if (e.cpu() >= threadOnCpu.length) {
        int old = threadOnCpu.length;
        threadOnCpu = java.util.Arrays.copyOf(threadOnCpu, Math.max(e.cpu() + 1, 2 * old));
        java.util.Arrays.fill(threadOnCpu, old, threadOnCpu.length, -1);
      }
      threadOnCpu[e.cpu()] = c.newThreadId();
    }
    if (events != null) events.add(eventRow(e));
    int type = e.hookId() & 0xFF;
    if (e.data() instanceof EventData.Process p && e.group() == 0x03) process(e, p, type);
    else if (e.data() instanceof EventData.Thread t) thread(e, t, type);
    else if (e.data() instanceof EventData.Image i) image(e, i, type);
    else if (e.data() instanceof EventData.DbgIdRsds r) {
      Mod m = liveModules.get(key(r.pid(), r.imageBase()));
      if (m == null) m = liveModules.get(key(0, r.imageBase()));
      rsds.put(m != null ? key(m.i.pid(), m.i.imageBase()) : key(r.pid(), r.imageBase()), r);
    }
  }

  private void process(EtlEvent e, EventData.Process p, int type) {
    Proc cur = liveProcs.get(p.pid());
    boolean starts = type == 1 || type == 3;
    if (starts) {
      if (cur != null) writeProcess(cur);
      cur = new Proc();
      cur.p = p;
      cur.start = type == 1 ? e.ts() : NULL;
      liveProcs.put(p.pid(), cur);
    } else {
      if (cur == null) {
        cur = new Proc();
        cur.p = p;
        liveProcs.put(p.pid(), cur);
      }
      if (cur.p.commandLine().isEmpty() && !p.commandLine().isEmpty()) cur.p = p;
      if (type == 2 || type == 39) {
        cur.end = e.ts();
        cur.exit = p.exitStatus();
        writeProcess(cur);
        liveProcs.remove(p.pid());
      }
    }
  }

  private void writeProcess(Proc c) {
    if (processes == null) return;
    EventData.Process p = c.p;
    processes.accept(new ProcessesTable.Process(traceId, p.pid(), p.parentPid(), p.sessionId(),
        p.directoryTableBase(), p.directoryTableBase() != 0, p.uniqueProcessKey(),
        p.uniqueProcessKey() != 0, p.imageFileName(), p.commandLine().isEmpty() ? null : p.commandLine(),
        c.start, c.end, c.exit));
  }

  private void thread(EtlEvent e, EventData.Thread t, int type) {
    Thr cur = liveThreads.get(t.tid());
    if (type == 1 || type == 3) {
      if (cur != null) writeThread(cur);
      cur = new Thr();
      cur.t = t;
      cur.start = type == 1 ? e.ts() : NULL;
      liveThreads.put(t.tid(), cur);
    } else {
      if (cur == null) {
        cur = new Thr();
        cur.t = t;
        liveThreads.put(t.tid(), cur);
      }
      if (type == 2) {
        cur.end = e.ts();
        writeThread(cur);
        liveThreads.remove(t.tid());
      }
    }
  }

  private void writeThread(Thr c) {
    if (threads == null) return;
    EventData.Thread t = c.t;
    threads.add(new ThreadsTable.Thread(traceId, t.tid(), t.pid(), c.start, c.end, t.startAddress(),
        t.hasStartAddress(), t.win32StartAddress(), t.win32StartAddress() != 0));
  }

  private static long key(int pid, long base) {
    // Kernel modules are shared by every process: key them under pid 0.
    return base < 0 ? base : base ^ ((long) pid << 48);
  }

  private void image(EtlEvent e, EventData.Image i, int type) {
    long k = key(i.pid(), i.imageBase());
    Mod cur = liveModules.get(k);
    if (type == 10 || type == 3) {
      if (cur != null) writeModule(cur, k);
      cur = new Mod();
      cur.i = i;
      cur.load = type == 10 ? e.ts() : NULL;
      liveModules.put(k, cur);
    } else {
      if (cur == null) {
        cur = new Mod();
        cur.i = i;
        liveModules.put(k, cur);
      }
      if (type == 2) {
        cur.unload = e.ts();
        writeModule(cur, k);
        liveModules.remove(k);
      }
    }
  }

  private void writeModule(Mod m, long k) {
    if (modules == null) return;
    EventData.Image i = m.i;
    EventData.DbgIdRsds r = rsds.remove(k);
    boolean kernel = i.imageBase() < 0;
    modules.accept(new ModulesTable.Module(moduleIdBase + ++modulesWritten, traceId, kernel ? 0 : i.pid(),
        i.imageBase(), i.imageSize(), i.fileName(), i.name(), Integer.toUnsignedLong(i.timeDateStamp()),
        Integer.toUnsignedLong(i.checksum()), r == null ? null : r.guid().toString(),
        r == null ? NULL : r.age(), r == null ? null : r.pdbFileName(), m.load, m.unload, kernel, "none",
        "none"));
  }

  /** Writes the processes, threads and modules still alive at the end of the trace. */
  public void finish() {
    for (Proc p : liveProcs.values()) writeProcess(p);
    liveProcs.clear();
    for (Thr t : liveThreads.values()) writeThread(t);
    liveThreads.clear();
    for (Map.Entry<Long, Mod> m : liveModules.entrySet()) writeModule(m.getValue(), m.getKey());
    liveModules.clear();
  }

  public long modulesWritten() {
    return modulesWritten;
  }

  /**
   * The {@code segments} row of one IPT buffer, once decoded. {@code extraSkipped} adds the bytes
   * the packet decoder skipped between an error and the next PSB.
   */
  public static SegmentsTable.Segment segmentRow(IptSegment s, long segmentId, int traceId,
      long eventIdBase, long packets, long branches, long instructions, int errors, long extraSkipped,
      String decodeStatus) {
    boolean etl = s.eventId() >= 0;
    return new SegmentsTable.Segment(segmentId, traceId, s.ts() == Long.MIN_VALUE ? NULL : s.ts(),
        s.cpu() < 0 ? NULL : s.cpu(), s.pid() < 0 ? NULL : s.pid(), s.tid(), s.trigger(),
        s.triggerEventId() < 0 ? NULL : eventIdBase + s.triggerEventId(), etl, s.option().value(),
        s.bufferSize() < 0 ? NULL : s.bufferSize(), s.fileOffset(), s.sizeBytes(), s.tracePosition(),
        s.wrapped(), s.skippedBytes() + extraSkipped, s.skippedBytes(), packets, branches, instructions, errors, decodeStatus);
  }
}
