package iptq.etl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * TRACE_LOGFILE_HEADER: the payload of the first record (HookId 0x0000) of an .etl file, plus
 * the raw timestamp of that record, which is the trace's time zero.
 */
public record LogfileHeader(int bufferSize, int majorVersion, int minorVersion, int subVersion,
    int subMinorVersion, int providerVersion, int numberOfProcessors, long endTime,
    int timerResolution, int maximumFileSize, int logFileMode, int buffersWritten,
    int startBuffers, int pointerSize, int eventsLost, int cpuSpeedMHz, int timeZoneBiasMinutes,
    long bootTime, long perfFreq, long startTime, int reservedFlags, int buffersLost,
    String loggerName, String logFileName, long headerTimestamp) {

  public static final int COMPRESSED_MODE = 0x04000000;
  /** FILETIME of 1970-01-01 (100 ns ticks since 1601). */
  private static final long UNIX_EPOCH_FILETIME = 116_444_736_000_000_000L;

  /** Parses the payload (64-bit or 32-bit layout by {@code pointerSize} of the record header). */
  static LogfileHeader parse(ByteBuffer p, int recordPointerSize, long headerTs) {
    // Two pointers (LoggerName, LogFileName) at 0x38 shift everything after them on 32-bit.
    int shift = recordPointerSize == 4 ? -8 : 0;
    int tz = 0x48 + shift;
    int after = 0xF8 + shift;
    if (p.remaining() < after + 0x20) throw new IllegalArgumentException("logfile header too short");
    int version = p.getInt(0x04);
    String[] names = names(p, after + 0x20);
    return new LogfileHeader(p.getInt(0), version & 0xFF, (version >>> 8) & 0xFF,
        (version >>> 16) & 0xFF, version >>> 24, p.getInt(0x08), p.getInt(0x0C), p.getLong(0x10),
        p.getInt(0x18), p.getInt(0x1C), p.getInt(0x20), p.getInt(0x24), p.getInt(0x28),
        p.getInt(0x2C), p.getInt(0x30), p.getInt(0x34), p.getInt(tz), p.getLong(after),
        p.getLong(after + 8), p.getLong(after + 0x10), p.getInt(after + 0x18),
        p.getInt(after + 0x1C), names[0], names[1], headerTs);
  }

  private static String[] names(ByteBuffer p, int at) {
    String[] r = new String[2];
    int pos = at;
    for (int i = 0; i < 2; i++) {
      StringBuilder sb = new StringBuilder();
      while (pos + 2 <= p.limit()) {
        char c = p.getChar(pos);
        pos += 2;
        if (c == 0) break;
        sb.append(c);
      }
      r[i] = iptq.Printable.of(sb.toString());
    }
    return r;
  }

  /** ReservedFlags is the clock type: 1 QPC, 2 system time, 3 CPU cycles. */
  public int clockType() {
    return reservedFlags;
  }

  public String clockName() {
    return switch (reservedFlags) {
      case 1 -> "qpc";
      case 2 -> "system-time";
      case 3 -> "cpu-cycles";
      default -> "none";
    };
  }

  /** Ticks per second of the event timestamps. */
  public long clockFrequency() {
    return switch (reservedFlags) {
      case 2 -> 10_000_000L;
      case 3 -> cpuSpeedMHz * 1_000_000L;
      default -> perfFreq;
    };
  }

  public boolean compressed() {
    return (logFileMode & COMPRESSED_MODE) != 0;
  }

  /** Nanoseconds since the trace start of a raw event timestamp. */
  public long toNanos(long rawTs) {
    long d = rawTs - headerTimestamp;
    long f = clockFrequency();
    if (f <= 0) return d;
    if (f == 10_000_000L) return d * 100;
    if (Math.abs(d) < Long.MAX_VALUE / 1_000_000_000L) return d * 1_000_000_000L / f;
    return (d / f) * 1_000_000_000L + (d % f) * 1_000_000_000L / f;
  }

  /** Wall-clock time of a raw event timestamp (StartTime is a FILETIME). */
  public Instant toInstant(long rawTs) {
    return fileTimeToInstant(startTime).plusNanos(toNanos(rawTs));
  }

  public Instant startInstant() {
    return fileTimeToInstant(startTime);
  }

  public static Instant fileTimeToInstant(long fileTime) {
    long t = fileTime - UNIX_EPOCH_FILETIME;
    return Instant.ofEpochSecond(Math.floorDiv(t, 10_000_000L), Math.floorMod(t, 10_000_000L) * 100);
  }

  public String osVersion() {
    return majorVersion + "." + minorVersion;
  }

  static byte[] utf16z(String s) {
    return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
  }
}
