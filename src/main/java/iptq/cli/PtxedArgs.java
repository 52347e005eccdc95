package iptq.cli;

import iptq.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * ptxed's file arguments, read as ptxed 2.2 reads them: {@code FILE[:FROM[-TO]]} for the trace
 * and {@code FILE[:FROM[-TO]]:BASE} for raw code. The suffixes are taken from the end, so that a
 * colon that does not start a number belongs to the file name (a Windows drive letter).
 */
final class PtxedArgs {
  private PtxedArgs() {}

  /** A byte range of a trace file; {@code size} -1 for "to the end". */
  record TraceSlice(Path file, long offset, long size) {
    byte[] read() {
      try (FileChannel ch = FileChannel.open(file)) {
        long total = ch.size();
        long n = size < 0 ? total - offset : size;
        if (offset >= total) throw new InputException(file, offset, "bad offset 0x" + Long.toHexString(offset) + " into the trace");
        if (offset + n > total) throw new InputException(file, offset, "bad range 0x" + Long.toHexString(offset + n) + " in the trace");
        if (n > Integer.MAX_VALUE - 8) throw new InputException(file, offset, "a trace range is at most 2 GiB");
        ByteBuffer b = ByteBuffer.allocate((int) n);
        while (b.hasRemaining()) {
          if (ch.read(b, offset + b.position()) < 0) throw new InputException(file, offset + b.position(), "file ended");
        }
        return b.array();
      } catch (java.nio.file.NoSuchFileException e) {
        throw new InputException(file, -1, "no such file");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code --pt FILE[:FROM[-TO]]}. */
  static TraceSlice traceSlice(String arg) {
    long[] range = new long[2];
    String file = stripRange(arg, range);
    return new TraceSlice(Path.of(file), range[0], range[1] == 0 ? -1 : range[1]);
  }

  /** {@code --raw FILE[:FROM[-TO]]:BASE} as iptq's {@code FILE@ADDR@OFFSET@SIZE}. */
  static String rawSpec(String arg) {
    int colon = arg.lastIndexOf(':');
    Long base = colon < 0 ? null : number(arg.substring(colon + 1));
    if (base == null) throw new InputException(null, -1, "--raw " + arg + ": expected FILE[:FROM[-TO]]:BASE (no base address)");
    long[] range = new long[2];
    String file = stripRange(arg.substring(0, colon), range);
    long size = range[1];
    if (size == 0) {
      try {
        size = Files.size(Path.of(file)) - range[0];
      } catch (java.nio.file.NoSuchFileException e) {
        throw new InputException(Path.of(file), -1, "no such file");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (size <= 0) throw new InputException(Path.of(file), range[0], "--raw offset 0x" + Long.toHexString(range[0]) + " is past the end of the file");
    }
    return file + "@0x" + Long.toHexString(base) + "@0x" + Long.toHexString(range[0]) + "@0x" + Long.toHexString(size);
  }

  /**
   * Removes a {@code :FROM} or {@code :FROM-TO} suffix, setting {@code range} to offset and size
   * (0: to the end); a suffix that does not parse is part of the file name.
   */
  private static String stripRange(String arg, long[] range) {
    int colon = arg.lastIndexOf(':');
    if (colon < 0) return arg;
    String r = arg.substring(colon + 1);
    int dash = r.indexOf('-', 1);
    Long from = number(dash < 0 ? r : r.substring(0, dash));
    if (from == null) return arg;
    if (dash < 0) {
      range[0] = from;
      return arg.substring(0, colon);
    }
    Long to = number(r.substring(dash + 1));
    if (to == null) return arg;
    if (Long.compareUnsigned(to, from) <= 0) throw new InputException(null, -1, arg + ": bad range (the end is not after the start)");
    range[0] = from;
    range[1] = to - from;
    return arg.substring(0, colon);
  }

  private static final java.util.regex.Pattern FILTER = java.util.regex.Pattern.compile("--filter:addr([0-3])_(cfg|a|b)(=.*)?");

  /**
   * The IP filter configuration of ptxed's {@code --filter:addrN_cfg CFG}, {@code --filter:addrN_a
   * BASE} and {@code --filter:addrN_b LIMIT} in {@code args} (the command line as given: each
   * option names its register, so it is read from there); a later value replaces an earlier one
   * for the registers, CFG values are or-ed as ptxed does.
   */
  static iptq.flow.AddressFilter filter(List<String> args, java.util.function.Function<String, RuntimeException> bad) {
    int[] cfg = new int[4];
    long[] a = new long[4];
    long[] b = new long[4];
    for (int i = 0; i < args.size(); i++) {
      java.util.regex.Matcher m = FILTER.matcher(args.get(i));
      if (!m.matches()) continue;
      String option = args.get(i).replaceFirst("=.*", "");
      String value = m.group(3) != null ? m.group(3).substring(1) : i + 1 < args.size() ? args.get(++i) : "";
      Long v = number(value);
      if (v == null) throw bad.apply(option + ": bad argument: " + value);
      int n = m.group(1).charAt(0) - '0';
      switch (m.group(2)) {
        case "cfg" -> {
          if (Long.compareUnsigned(v, 15) > 0) throw bad.apply(option + ": value too big: " + value + " (ADDRn_CFG is 0 to 15)");
          cfg[n] |= v.intValue();
        }
        case "a" -> a[n] = v;
        default -> b[n] = v;
      }
    }
    iptq.flow.AddressFilter f = iptq.flow.AddressFilter.NONE;
    for (int n = 0; n < 4; n++) f = f.with(n, cfg[n], a[n], b[n]);
    return f;
  }

  /**
   * The trace's timing configuration from ptxed's and ptdump's options (null: not given, 0), each
   * checked against the width libipt stores it in (uint8_t for the frequencies, uint32_t for
   * CPUID 0x15), with their messages for a bad or too big value.
   */
  static iptq.pt.PtdumpClock.Config timing(String mtcFreq, String nomFreq, String cpuidEax, String cpuidEbx,
      iptq.pt.Errata errata, java.util.function.Function<String, RuntimeException> bad) {
    return new iptq.pt.PtdumpClock.Config((int) uint("--mtc-freq", mtcFreq, 0xff, bad),
        (int) uint("--nom-freq", nomFreq, 0xff, bad), uint("--cpuid-0x15.eax", cpuidEax, 0xffffffffL, bad),
        uint("--cpuid-0x15.ebx", cpuidEbx, 0xffffffffL, bad), errata);
  }

  private static long uint(String option, String arg, long max, java.util.function.Function<String, RuntimeException> bad) {
    if (arg == null) return 0;
    Long v = number(arg);
    if (v == null) throw bad.apply(option + ": bad argument: " + arg);
    if (Long.compareUnsigned(v, max) > 0) throw bad.apply(option + ": value too big: " + arg);
    return v;
  }

  /** A number as C's strtoull with base 0 reads it (0x hex, 0 octal, else decimal), or null. */
  static Long number(String s) {
    if (s.isEmpty()) return null;
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) return s.length() > 2 ? Long.parseUnsignedLong(s.substring(2), 16) : null;
      if (s.length() > 1 && s.startsWith("0")) return Long.parseUnsignedLong(s.substring(1), 8);
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
