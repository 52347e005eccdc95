package iptq.x86;

import capstone.Capstone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instruction text ("mov rax, qword ptr [rbx + 8]") from capstone-java over Debian's native
 * libcapstone, for the {@code instructions} table and the {@code iptq insns} listing.
 *
 * <p>A capstone call through JNA costs microseconds, so texts are cached per address (checked
 * against the bytes, since another address space may hold other code at the same address);
 * traces revisit the same code over and over. Not thread-safe: one per decoding thread.
 */
public final class Disassembler implements AutoCloseable {
  /** Cached texts per mode before the least recently used are dropped. */
  public static final int DEFAULT_CACHE_ENTRIES = 1 << 20;

  private static final String[] LIBRARY_DIRS = {
    "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"
  };

  private final Capstone[] handles = new Capstone[3];
  private final List<Map<Long, Entry>> caches = new ArrayList<>(3);
  private final byte[] one = new byte[X86Decoder.MAX_LENGTH];

  private record Entry(byte[] bytes, String text) {}

  /** capstone calls made so far (cache misses), for tests and statistics. */
  private long capstoneCalls;

  public Disassembler() {
    this(DEFAULT_CACHE_ENTRIES);
  }

  public Disassembler(int cacheEntries) {
    configureLibraryPath();
    for (int i = 0; i < 3; i++) {
      caches.add(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Entry> eldest) {
          return size() > cacheEntries;
        }
      });
    }
  }

  /**
   * Lets JNA find Debian's libcapstone when only the versioned runtime file
   * (libcapstone.so.4, package libcapstone4) is installed: JNA matches versioned names in the
   * directories of jna.library.path. Leaves a path the user set alone.
   */
  public static void configureLibraryPath() {
    if (System.getProperty("jna.library.path") != null) {
      return;
    }
    StringBuilder path = new StringBuilder();
    for (String dir : LIBRARY_DIRS) {
      if (Files.isDirectory(Path.of(dir))) {
        if (path.length() > 0) {
          path.append(':');
        }
        path.append(dir);
      }
    }
    System.setProperty("jna.library.path", path.toString());
  }

  /**
   * The text of the instruction in {@code code[off..off+len)} at {@code address}; capstone
   * decodes the first instruction of the bytes. "(bad)" when capstone cannot decode them.
   */
  public String text(long address, byte[] code, int off, int len, Mode mode) {
    int n = Math.min(len, X86Decoder.MAX_LENGTH);
    Map<Long, Entry> cache = caches.get(mode.ordinal());
    Entry e = cache.get(address);
    if (e != null && e.bytes.length <= n
        && Arrays.equals(e.bytes, 0, e.bytes.length, code, off, off + e.bytes.length)) {
      return e.text;
    }
    System.arraycopy(code, off, one, 0, n);
    capstoneCalls++;
    Capstone.CsInsn[] insns = handle(mode).disasm(Arrays.copyOf(one, n), address, 1);
    String text;
    byte[] bytes;
    if (insns == null || insns.length == 0) {
      text = "(bad)";
      bytes = Arrays.copyOf(one, 1);
    } else {
      Capstone.CsInsn i = insns[0];
      text = i.opStr == null || i.opStr.isEmpty() ? i.mnemonic : i.mnemonic + " " + i.opStr;
      bytes = Arrays.copyOf(one, i.size);
    }
    cache.put(address, new Entry(bytes, text));
    return text;
  }

  public long capstoneCalls() {
    return capstoneCalls;
  }

  private Capstone handle(Mode mode) {
    Capstone cs = handles[mode.ordinal()];
    if (cs == null) {
      int csMode = mode == Mode.BITS64
          ? Capstone.CS_MODE_64
          : mode == Mode.BITS32 ? Capstone.CS_MODE_32 : Capstone.CS_MODE_16;
      cs = new Capstone(Capstone.CS_ARCH_X86, csMode);
      cs.setDetail(Capstone.CS_OPT_OFF);
      handles[mode.ordinal()] = cs;
    }
    return cs;
  }

  @Override
  public void close() {
    for (int i = 0; i < handles.length; i++) {
      if (handles[i] != null) {
        handles[i].close();
        handles[i] = null;
      }
    }
  }
}
