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

  private static CodeCorpus extended;

  /**
   * {@link #all()} plus code built here with clang and lld (required in CI): PTWRITE helpers
   * (src/test/c/synth-ptwrite.c) as 64-bit code, and the same with x86-sample.c as 32-bit code,
   * so that PTWRITE and mode switches can be traced whether or not the system has 32-bit libc.
   */
  static synchronized CodeCorpus extended() {
    if (extended == null) {
      List<CodeCorpus.Region> r = new ArrayList<>(all().regions);
      r.add(CodeCorpus.elfText(build("synth-ptwrite64.so", "-m64", "synth-ptwrite.c"), 0x00007f3a_60000000L));
      r.add(CodeCorpus.elfText(build("synth-ptwrite32.so", "-m32", "synth-ptwrite.c", "x86-sample.c"), 0x0000_0000_5655_0000L));
      extended = new CodeCorpus(r);
    }
    return extended;
  }

  private static CodeCorpus farTransfers;

  /**
   * {@link #extended()} plus far-transfer helpers built here with clang and lld
   * (src/test/c/synth-far.c) as 64-bit and as 32-bit code: far JMP/CALL through memory and
   * direct, far RET, IRET, SYSRET, SYSENTER, SYSEXIT and software interrupts, in each operand
   * size, which real code hardly has. A corpus of its own, so that the traces of the seeds over
   * {@link #extended()} stay the same.
   */
  static synchronized CodeCorpus farTransfers() {
    if (farTransfers == null) {
      List<CodeCorpus.Region> r = new ArrayList<>(extended().regions);
      r.add(CodeCorpus.elfText(build("synth-far64.so", "-m64", "synth-far.c"), 0x00007f3a_68000000L));
      r.add(CodeCorpus.elfText(build("synth-far32.so", "-m32", "synth-far.c"), 0x0000_0000_5675_0000L));
      farTransfers = new CodeCorpus(r);
    }
    return farTransfers;
  }

  private static CodeCorpus newer;

  /**
   * {@link #extended()} plus the helpers of src/test/c/synth-newer.c, built here with clang and
   * lld as 64-bit code: FRED's ERETU and ERETS, UIRET, APX REX2 code and JMPABS, which libipt
   * 2.0.5 predates (the tests that walk them judge with libipt 2.2). A corpus of its own, so that
   * the traces of the seeds over the other corpora stay the same.
   */
  static synchronized CodeCorpus newer() {
    if (newer == null) {
      List<CodeCorpus.Region> r = new ArrayList<>(extended().regions);
      r.add(CodeCorpus.elfText(build("synth-newer64.so", "-m64", "synth-newer.c"), 0x00007f3a_6c000000L));
      newer = new CodeCorpus(r);
    }
    return newer;
  }

  /** Compiles and links src/test/c sources into target/c/NAME (again when a source is newer). */
  private static Path build(String name, String mode, String... sources) {
    iptq.testing.ClangPe.require("clang", "ld.lld");
    Path out = Fixtures.projectDir().resolve("target/c/" + name);
    try {
      List<String> cmd = new ArrayList<>(List.of("clang", mode, "-O2", "-mptwrite", "-ffreestanding", "-fPIC",
          "-fvisibility=hidden", "-nostdlib", "-shared", "-fuse-ld=lld", "-o", out.toString()));
      boolean stale = !Files.exists(out);
      for (String s : sources) {
        Path src = Fixtures.projectDir().resolve("src/test/c/" + s);
        cmd.add(src.toString());
        if (!stale && Files.getLastModifiedTime(src).compareTo(Files.getLastModifiedTime(out)) > 0) stale = true;
      }
      if (stale) {
        Files.createDirectories(out.getParent());
        iptq.testing.Libipt.run(cmd);
      }
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static synchronized SynthInsn.Cache cache() {
    if (cache == null) cache = new SynthInsn.Cache();
    return cache;
  }
}
