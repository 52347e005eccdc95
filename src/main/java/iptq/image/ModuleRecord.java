package iptq.image;

import java.util.Locale;

/**
 * A module loaded in the traced system, as an ETW Image event (Load/DCStart/Unload) gives it:
 * {@code name} is the file path the event carries, times are the trace's own timestamps
 * ({@link Long#MIN_VALUE} = loaded before the trace began, {@link Long#MAX_VALUE} = never
 * unloaded), and {@code timeDateStamp}/{@code checkSum} are 0 when unknown. Kernel modules (base in
 * the upper half of the address space) are shared by all processes whatever their pid.
 */
public record ModuleRecord(String name, long base, long size, long pid, long loadTime, long unloadTime,
    long timeDateStamp, long checkSum) {

  public static ModuleRecord loaded(String name, long base, long size, long pid, long timeDateStamp, long checkSum) {
    return new ModuleRecord(name, base, size, pid, Long.MIN_VALUE, Long.MAX_VALUE, timeDateStamp, checkSum);
  }

  public boolean kernel() {
    return base < 0;
  }

  public long end() {
    return base + size;
  }

  public boolean contains(long address) {
    return Long.compareUnsigned(address - base, size) < 0;
  }

  public boolean aliveAt(long time) {
    return loadTime <= time && time < unloadTime;
  }

  /** The file name without directories, as the file is found on an image path. */
  public String fileName() {
    return MinidumpImage.shortName(name);
  }

  String key() {
    return fileName().toLowerCase(Locale.ROOT);
  }
}
