package iptq.view;

import java.util.List;

/** The parent of each frame of a segment (frames as {@link StackWalk} sorts them). */
final class Nesting {
  private Nesting() {}

  /** parent[i] is the index of frame i's parent, or -1 for a lowest frame. */
  static int[] parents(List<Frame> frames) {
    int[] parent = new int[frames.size()];
    int[] stack = new int[64];
    int top = 0;
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      while (top > 0 && frames.get(stack[top - 1]).depth() >= f.depth()) top--;
      parent[i] = top == 0 ? -1 : stack[top - 1];
      if (top == stack.length) stack = java.util.Arrays.copyOf(stack, top * 2);
      stack[top++] = i;
    }
    return parent;
  }

  /** Instructions run in each frame itself, not in the frames it called. */
  static long[] self(List<Frame> frames, int[] parent) {
    long[] self = new long[frames.size()];
    for (int i = 0; i < self.length; i++) self[i] = frames.get(i).insns();
    for (int i = 0; i < self.length; i++) if (parent[i] >= 0) self[parent[i]] -= frames.get(i).insns();
    return self;
  }
}
