package iptq.etl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/**
 * Turns the IPT events of a trace into {@link IptSegment}s. Feed it every event in time order
 * ({@link #accept}); it keeps, per processor, the last few kernel events and which thread runs,
 * so it can recognise an IPT event by structure and link it to the event it accompanies (same
 * thread, same timestamp). Memory: a few entries per processor and a set of thread ids.
 */
public final class IptSegments {
  private static final int RECENT = 32;

  private final int iptHook;
  private final LogfileHeader header;
  private Recent[] recentArr = new Recent[64];
  private int[] threadOnCpu = new int[0];
  private final java.util.BitSet threadBits = new java.util.BitSet();
  private final Set<Integer> bigThreads = new HashSet<>();
  private final Map<Integer, long[]> hooks = new LinkedHashMap<>();
  private long segments;

  /** @param iptHook the HookId named by {@code --ipt-hook}, or -1 to recognise by structure */
  public IptSegments(LogfileHeader header, int iptHook) {
    this.header = header;
    this.iptHook = iptHook;
  }

  /** What was found per hook: candidates by structure, and how many were confirmed as IPT. */
  public record HookFinding(int hookId, long candidates, long confirmed, long linked) {}

  private static final class Recent {
    final long[] ts = new long[RECENT];
    final long[] id = new long[RECENT];
    final int[] tid = new int[RECENT];
    final String[] name = new String[RECENT];
    int n;
    int next;

    void add(long t, long eventId, int thread, String nm) {
      ts[next] = t;
      id[next] = eventId;
      tid[next] = thread;
      name[next] = nm;
      next = (next + 1) % RECENT;
      n = Math.min(n + 1, RECENT);
    }

    int find(long t, int thread) {
      for (int k = 1; k <= n; k++) {
        int i = Math.floorMod(next - k, RECENT);
        if (ts[i] == t && (tid[i] == thread || tid[i] < 0)) return i;
      }
      return -1;
    }
  }

  /** Looks at one event; returns a segment when it is a (confirmed) IPT event. */
  public Optional<IptSegment> accept(EtlEvent e) {
    if (e.data() instanceof EventData.Ipt ipt) {
      return Optional.ofNullable(ipt(e, ipt));
    }
    int tid = e.tid();
    if (e.data() instanceof EventData.CSwitch cs) {
      if (e.cpu() >= threadOnCpu.length) {
        int old = threadOnCpu.length;
        threadOnCpu = java.util.Arrays.copyOf(threadOnCpu, Math.max(e.cpu() + 1, 2 * old));
        java.util.Arrays.fill(threadOnCpu, old, threadOnCpu.length, -1);
      }
      threadOnCpu[e.cpu()] = cs.newThreadId();
      thread(cs.newThreadId());
      thread(cs.oldThreadId());
    } else if (e.data() instanceof EventData.Thread t) {
      thread(t.tid());
    }
    if (tid >= 0) thread(tid);
    int eff = tid >= 0 && e.kind() != HeaderKind.PERFINFO ? tid : (e.cpu() < threadOnCpu.length ? threadOnCpu[e.cpu()] : -1);
    if (e.kind() == HeaderKind.WPP) return Optional.empty();
    recent(e.cpu()).add(e.rawTs(), e.ordinal(), eff, e.name());
    return Optional.empty();
  }

  private static final int SMALL_TID = 1 << 26;

  private Recent recent(int cpu) {
    if (cpu >= recentArr.length) recentArr = java.util.Arrays.copyOf(recentArr, Math.max(cpu + 1, 2 * recentArr.length));
    Recent r = recentArr[cpu];
    if (r == null) recentArr[cpu] = r = new Recent();
    return r;
  }

  private void thread(int tid) {
    if (tid >= 0 && tid < SMALL_TID) threadBits.set(tid);
    else bigThreads.add(tid);
  }

  private boolean knownThread(int tid) {
    return tid >= 0 && tid < SMALL_TID ? threadBits.get(tid) : bigThreads.contains(tid);
  }

  private IptSegment ipt(EtlEvent e, EventData.Ipt ipt) {
    int hook = e.hookId();
    long[] f = hooks.computeIfAbsent(hook, k -> new long[3]);
    f[0]++;
    Recent r = e.cpu() < recentArr.length ? recentArr[e.cpu()] : null;
    int at = r == null ? -1 : r.find(ipt.eventTimeStamp(), ipt.thread());
    boolean known = knownThread(ipt.thread());
    boolean explicit = iptHook >= 0 || e.provider() != null;
    if (!explicit && !(known && at >= 0)) return null;
    f[1]++;
    if (at >= 0) f[2]++;
    segments++;
    int configured = ipt.option().bufferSizeBytes();
    boolean wrapped = ipt.traceSize() >= configured;
    IptSegment.Unrolled u = wrapped ? IptSegment.unroll(ipt.trace(), ipt.tracePosition())
        : new IptSegment.Unrolled(ipt.trace(), 0);
    return new IptSegment(e.ordinal(), header.toNanos(ipt.eventTimeStamp()), ipt.eventTimeStamp(),
        e.cpu(), ipt.process(), ipt.thread(), at >= 0 ? r.name[at] : null, at >= 0 ? r.id[at] : -1,
        hook, ipt.option(), configured, e.fileOffset() + 32, ipt.traceSize(), ipt.tracePosition(),
        wrapped, u.skipped(), u.data());
  }

  public long segments() {
    return segments;
  }

  /** Per hook: IPT-shaped events seen, confirmed as IPT, linked to a kernel event. */
  public Map<Integer, HookFinding> findings() {
    Map<Integer, HookFinding> m = new LinkedHashMap<>();
    hooks.forEach((k, v) -> m.put(k, new HookFinding(k, v[0], v[1], v[2])));
    return m;
  }
}
