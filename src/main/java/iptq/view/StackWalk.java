package iptq.view;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Walks one segment's execution (blocks and stack-moving branches in seq order) into properly
 * nested frames on the instruction axis.
 *
 * <p>A frame is named by the blocks that run in it, not by the call that opened it: code reached
 * by a jump into another function (a tail call) becomes a sibling frame at the same depth. A
 * segment starts in the middle of a call stack, so a return can leave the lowest frame seen so
 * far; the function returned into becomes a new lowest frame that was running since the
 * segment's start. Depths count from the lowest frame in the end, as the {@code calls} view's do.
 */
final class StackWalk {
  private static final class Open {
    String name;
    String module;
    final String fallback;
    final String fallbackModule;
    final int level;
    final long start;

    Open(String fallback, String fallbackModule, int level, long start) {
      this.fallback = fallback;
      this.fallbackModule = fallbackModule;
      this.level = level;
      this.start = start;
    }
  }

  private record Closed(String name, String module, int level, long start, long end) {}

  private final ArrayDeque<Open> stack = new ArrayDeque<>();
  private final List<Closed> closed = new ArrayList<>();
  private long pos;
  private int floor;
  private final long[] anchorPos = new long[64];
  private final long[] anchorNs = new long[64];
  private long[] aPos = anchorPos, aNs = anchorNs;
  private int anchors;

  StackWalk() {
    stack.push(new Open(null, null, 0, 0));
  }

  /** A block of {@code insns} instructions in {@code function}, at time estimate {@code ts}. */
  void block(long insns, String function, String module, Long ts) {
    Open top = stack.peek();
    if (top.name == null) {
      top.name = function;
      top.module = module;
    } else if (!top.name.equals(function) || !Objects.equals(top.module, module)) {
      stack.pop();
      close(top);
      Open next = new Open(null, null, top.level, pos);
      next.name = function;
      next.module = module;
      stack.push(next);
    }
    if (ts != null && (anchors == 0 || ts > aNs[anchors - 1])) anchor(pos, ts);
    pos += insns;
  }

  /** A call (or entry into the kernel) to {@code target}, which names the frame if no block does. */
  void push(String target, String module) {
    stack.push(new Open(target, module, stack.peek().level + 1, pos));
  }

  /** A return (or exit from the kernel) to {@code target}. */
  void pop(String target, String module) {
    Open top = stack.pop();
    close(top);
    if (stack.isEmpty()) {
      floor = top.level - 1;
      stack.push(new Open(target, module, floor, 0));
    }
  }

  /** Instructions walked so far. */
  long position() {
    return pos;
  }

  /** Ends the walk: every frame still open closes at the segment's end. */
  Walked finish() {
    while (!stack.isEmpty()) close(stack.pop());
    List<Frame> frames = new ArrayList<>(closed.size());
    for (Closed c : closed) frames.add(new Frame(c.name, c.module, c.level - floor, c.start, c.end));
    // Parents before children: by start, then the lower frame first (it spans at least as long).
    frames.sort(Comparator.comparingLong(Frame::start).thenComparingInt(Frame::depth));
    return new Walked(frames, pos, Clock.of(aPos, aNs, anchors));
  }

  record Walked(List<Frame> frames, long instructions, Clock clock) {}

  private void close(Open o) {
    String name = o.name != null ? o.name : o.fallback != null ? o.fallback : "?";
    String module = o.name != null ? o.module : o.fallbackModule;
    closed.add(new Closed(name, module, o.level, o.start, pos));
  }

  private void anchor(long p, long ts) {
    if (anchors == aPos.length) {
      aPos = java.util.Arrays.copyOf(aPos, anchors * 2);
      aNs = java.util.Arrays.copyOf(aNs, anchors * 2);
    }
    if (anchors > 0 && aPos[anchors - 1] == p) {
      aNs[anchors - 1] = ts;
      return;
    }
    aPos[anchors] = p;
    aNs[anchors] = ts;
    anchors++;
  }
}
