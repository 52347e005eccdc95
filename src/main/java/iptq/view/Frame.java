package iptq.view;

/**
 * One function frame of a segment's call stack: {@code name} ran at nesting {@code depth} (0 is
 * the lowest frame the segment saw) from instruction {@code start} to {@code end} of the
 * segment (instructions executed since its first block; end exclusive).
 */
public record Frame(String name, String module, int depth, long start, long end) {
  public long insns() {
    return end - start;
  }
}
