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
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
    "/opt/homebrew/lib"
  };

  /** Said once per run: every decoding thread has its own disassembler. */
  private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

  /** False when capstone is not usable here: then there is no text, and a warning says how to get it. */
  private final boolean available;

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
    available = CapstoneLibrary.problem() == null;
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
   * directories of jna.library.path. Homebrew's folder is searched too (not in dlopen's default
   * path on Apple silicon), and the folder of iptq's jar, where a Windows user may put
   * capstone.dll. Leaves a path the user set alone.
   */
  public static void configureLibraryPath() {
    if (System.getProperty("jna.library.path") != null) {
      return;
    }
    List<String> dirs = new ArrayList<>();
    Path jar = jarFolder();
    if (jar != null) dirs.add(jar.toString());
    for (String dir : LIBRARY_DIRS) {
      if (Files.isDirectory(Path.of(dir))) dirs.add(dir);
    }
    System.setProperty("jna.library.path", String.join(java.io.File.pathSeparator, dirs));
  }

  private static Path jarFolder() {
    try {
      Path code = Path.of(Disassembler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(code) ? code.getParent() : null;
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The text of the instruction in {@code code[off..off+len)} at {@code address}; capstone
   * decodes the first instruction of the bytes. "(bad)" when capstone cannot decode them; null
   * when capstone is not installed (said once, with how to get it, on standard error).
   */
  public String text(long address, byte[] code, int off, int len, Mode mode) {
    if (!available) {
      if (!WARNED.getAndSet(true)) System.err.println(CapstoneLibrary.message(CapstoneLibrary.problem()));
      return null;
    }
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

  /**
   * capstone's length of the instruction at {@code address} (as {@link #text} decodes it, from
   * the same cache): 0 when capstone cannot decode the bytes, -1 when capstone is not installed.
   */
  public int length(long address, byte[] code, int off, int len, Mode mode) {
    String t = text(address, code, off, len, mode);
    if (t == null) return -1;
    if (t.equals("(bad)")) return 0;
    Entry e = caches.get(mode.ordinal()).get(address);
    return e == null ? 0 : e.bytes.length;
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
