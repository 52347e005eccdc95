package iptq.etl;

/** The kinds of record header an .etl buffer holds; {@link #sqlName} is events.header_kind. */
public enum HeaderKind {
  SYSTEM("system"),
  COMPACT("compact"),
  PERFINFO("perfinfo"),
  TRACE("trace"),
  INSTANCE("instance"),
  EVENT("event"),
  WPP("wpp");

  private final String sqlName;

  HeaderKind(String sqlName) {
    this.sqlName = sqlName;
  }

  public String sqlName() {
    return sqlName;
  }

  /** True for the kernel's own headers, which carry a HookId (group << 8 | type). */
  public boolean kernel() {
    return this == SYSTEM || this == COMPACT || this == PERFINFO;
  }

  // Header type byte values (TRACE_HEADER_TYPE_*).
  static final int SYSTEM32 = 0x01;
  static final int SYSTEM64 = 0x02;
  static final int COMPACT32 = 0x03;
  static final int COMPACT64 = 0x04;
  static final int FULL_HEADER32 = 0x0A;
  static final int INSTANCE32 = 0x0B;
  static final int PERFINFO32 = 0x10;
  static final int PERFINFO64 = 0x11;
  static final int EVENT_HEADER32 = 0x12;
  static final int EVENT_HEADER64 = 0x13;
  static final int FULL_HEADER64 = 0x14;
  static final int INSTANCE64 = 0x15;
}
