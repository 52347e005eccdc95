package iptq.flow;

import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real code the synthesized traces run over, loaded once per test JVM. */
final class Corpora {
  private Corpora() {}

  static final Path LIBC64 = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
  static final Path LIBC32 = Path.of("/usr/lib32/libc.so.6");

  private static CodeCorpus all;
  private static SynthInsn.Cache cache;

  /**
   * libc's .text (64-bit, user addresses), WdBoot.sys and CrashWithException.exe's .text at
   * kernel-style and user-style bases, and, where the system has it, 32-bit libc for mode
   * switches.
   */
  static synchronized CodeCorpus all() {
    if (all == null) {
      List<CodeCorpus.Region> r = new ArrayList<>();
      r.add(CodeCorpus.elfText(LIBC64, 0x00007f3a_12000000L));
      r.add(CodeCorpus.peText(Fixtures.path("pe/WdBoot.sys"), 0xfffff805_6a200000L));
      r.add(CodeCorpus.peText(Fixtures.path("pdb/CrashWithException.exe"), 0x00007ff6_40000000L));
      if (Files.isRegularFile(LIBC32)) r.add(CodeCorpus.elfText(LIBC32, 0x0000_0000_f7c00000L));
      all = new CodeCorpus(r);
    }
    return all;
  }

  private static CodeCorpus user;

  /** 64-bit user-mode code only: libc and CrashWithException.exe. */
  static synchronized CodeCorpus user64() {
    if (user == null) {
      user = new CodeCorpus(List.of(all().regions.get(0), all().regions.get(2)));
    }
    return user;
  }

  static synchronized SynthInsn.Cache cache() {
    if (cache == null) cache = new SynthInsn.Cache();
    return cache;
  }
}
