package iptq.etl;

/** The IPT_OPTION value of an IPT event (ipt.sys's public type), with its bitfields. */
public record IptOption(long value) {
  public int traceMode() {
    return (int) (value & 0xF);
  }

  public int timeMode() {
    return (int) ((value >>> 4) & 0xF);
  }

  public int mtcFreq() {
    return (int) ((value >>> 8) & 0xF);
  }

  public int cycThresh() {
    return (int) ((value >>> 12) & 0xF);
  }

  /** The raw BufferSize field (bits 19:16). */
  public int bufferSizeField() {
    return (int) ((value >>> 16) & 0xF);
  }

  /** Configured buffer size in bytes: 4 KiB pages, 2^field of them (WPR offers 4, 8, 16, 32 KiB). */
  public int bufferSizeBytes() {
    return 4096 << bufferSizeField();
  }

  public int traceSessionMode() {
    return (int) ((value >>> 20) & 0x7);
  }

  public boolean traceChild() {
    return ((value >>> 23) & 1) != 0;
  }

  public int traceCodeMode() {
    return (int) ((value >>> 24) & 0xF);
  }

  /** Builds an option value from its fields (the writer and tests use it). */
  public static IptOption of(int traceMode, int timeMode, int mtcFreq, int cycThresh,
      int bufferSizeField, int traceSessionMode, boolean traceChild, int codeMode) {
    long v = (traceMode & 0xFL) | (timeMode & 0xFL) << 4 | (mtcFreq & 0xFL) << 8
        | (cycThresh & 0xFL) << 12 | (bufferSizeField & 0xFL) << 16
        | (traceSessionMode & 0x7L) << 20 | (traceChild ? 1L : 0L) << 23 | (codeMode & 0xFL) << 24;
    return new IptOption(v);
  }
}
