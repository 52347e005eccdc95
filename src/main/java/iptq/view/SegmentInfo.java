package iptq.view;

/**
 * One picked segment as its track is labelled: whose thread, which event, how the decode went.
 * {@code timed} is true when its blocks carry at least two distinct time estimates.
 */
public record SegmentInfo(long id, int traceId, Long ts, Integer pid, Integer tid, Integer cpu,
    String trigger, Long triggerEventId, String process, long instructions, long branches,
    int errors, long skippedBytes, long sizeBytes, String status, boolean timed) {

  /** "sampapp.exe" or "pid 720" or "no process". */
  public String processLabel() {
    if (process != null) return process;
    return pid != null ? "pid " + pid : "no process";
  }

  /** "segment 19 · SystemCallExit". */
  public String title() {
    return "segment " + id + " · " + (trigger != null ? trigger : "no event");
  }
}
