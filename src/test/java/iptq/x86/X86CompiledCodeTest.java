package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.PeFile;
import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The oracle on real compiler output for 32- and 16-bit mode (src/test/c/x86-sample.c built by
 * gcc and clang with -m32 and -m16 at several optimisation and ISA levels), and on real Windows
 * x64 code (the PE fixtures: an MSVC executable and a signed kernel driver). Every instruction
 * capstone decodes must agree in length, class and target; capstone rejections must fall into
 * the documented categories.
 */
class X86CompiledCodeTest {
  private static final String[][] FLAG_SETS = {
    {"-O0"}, {"-O2"}, {"-Os"}, {"-O3", "-mavx2", "-mfma"},
    {"-O3", "-mavx512f", "-mavx512bw", "-mavx512vl"},
  };

  /** A compiled sample object and the mode its code runs in. */
  record Compiled(Path object, Mode mode) {}

  /**
   * Builds src/test/c/x86-sample.c with gcc and clang, -m32 and -m16, each flag set (into
   * target/c/x86-sample, rebuilt only when the source is newer); compilers that are missing
   * are skipped with a message (required in CI).
   */
  static synchronized List<Compiled> compiledObjects() throws Exception {
    Path src = Fixtures.projectDir().resolve("src/test/c/x86-sample.c");
    Path out = Fixtures.projectDir().resolve("target/c/x86-sample");
    Files.createDirectories(out);
    List<Compiled> objects = new ArrayList<>();
    for (String cc : new String[] {"gcc", "clang"}) {
      if (!onPath(cc)) {
        // One compiler is enough for the comparison; with neither the test skips below.
        if (iptq.testing.Required.inCi()) throw new AssertionError(cc + " is required in CI (apt-get install " + cc + ")");
        System.err.println("SKIPPED: " + cc + " objects: " + cc + " is not installed (apt-get install " + cc + ")");
        continue;
      }
      for (String m : new String[] {"-m32", "-m16"}) {
        for (String[] flags : FLAG_SETS) {
          Path obj = out.resolve(cc + m + String.join("", flags).replace("-", "_") + ".o");
          objects.add(new Compiled(obj, m.equals("-m16") ? Mode.BITS16 : Mode.BITS32));
          if (Files.exists(obj)
              && Files.getLastModifiedTime(obj).compareTo(Files.getLastModifiedTime(src)) > 0) {
            continue;
          }
          List<String> cmd = new ArrayList<>(List.of(cc, m, "-ffreestanding", "-fno-pic", "-c"));
          cmd.addAll(List.of(flags));
          cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
          Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
          String log = new String(p.getInputStream().readAllBytes());
          assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + log);
        }
      }
    }
    return objects;
  }

  @Test
  void compiled32And16BitCodeAgreesWithCapstone() throws Exception {
    List<Compiled> objects = compiledObjects();
    iptq.testing.Required.that(!objects.isEmpty(), "neither gcc nor clang is installed (apt-get install gcc clang)");
    long compared = 0;
    for (Mode mode : new Mode[] {Mode.BITS32, Mode.BITS16}) {
      try (CapstoneBatch cs = new CapstoneBatch(mode)) {
        OracleSweep sweep = new OracleSweep(mode, cs);
        sweep.strict = true;
        for (Compiled o : objects) {
          if (o.mode() != mode) {
            continue;
          }
          for (ElfCode.Section s : ElfCode.sections(o.object(), false, 3)) {
            if (!s.name().equals(".text")) {
              continue;
            }
            java.util.Map<Integer, Integer> objdump = objdumpLengths(o.object(), mode);
            sweep.secondOpinion = off -> objdump.getOrDefault(off, -1);
            sweep.sweep(s.bytes(), s.bytes().length, s.address(), Long.MAX_VALUE,
                o.object().getFileName() + ":" + s.name());
          }
        }
        System.out.println("compiled " + sweep.summary());
        sweep.mismatches.forEach(m -> System.out.println("  " + m));
        assertEquals(0, sweep.mismatchCount, String.join("\n", sweep.mismatches));
        assertTrue(sweep.compared > 5_000, mode + ": only " + sweep.compared);
        assertTrue(sweep.classCounts.containsKey("JMP_INDIRECT"), "jump tables / pointers");
        compared += sweep.compared;
      }
    }
    System.out.println("compiled 32/16-bit instructions compared: " + compared);
  }

  @Test
  void windowsPeCodeAgreesWithCapstone() throws Exception {
    try (CapstoneBatch cs = new CapstoneBatch(Mode.BITS64)) {
      OracleSweep sweep = new OracleSweep(Mode.BITS64, cs);
      sweep.strict = true;
      for (String f : new String[] {"pe/WdBoot.sys", "pdb/CrashWithException.exe"}) {
        for (ElfCode.Section s : peCode(Fixtures.path(f))) {
          sweep.sweep(s.bytes(), s.bytes().length, s.address(), Long.MAX_VALUE,
              f + ":" + s.name());
        }
      }
      System.out.println("PE " + sweep.summary());
      sweep.mismatches.forEach(m -> System.out.println("  " + m));
      assertEquals(0, sweep.mismatchCount, String.join("\n", sweep.mismatches));
      assertTrue(sweep.compared > 5_000, "only " + sweep.compared);
    }
  }

  /** The executable sections of a PE32+ file, at ImageBase + VirtualAddress. */
  static List<ElfCode.Section> peCode(Path file) {
    try (PeFile pe = PeFile.open(file)) {
      assertTrue(pe.isPe32Plus(), "PE32+");
      List<ElfCode.Section> out = new ArrayList<>();
      for (PeFile.Section s : pe.sections()) {
        if ((s.characteristics() & 0x20000000L) == 0) continue; // not IMAGE_SCN_MEM_EXECUTE
        int size = (int) Math.min(s.sizeOfRawData(), s.virtualSize()); // drop the file padding
        byte[] bytes = pe.file().bytes(s.pointerToRawData(), size, s.name());
        out.add(new ElfCode.Section(file, s.name(), pe.imageBase() + s.virtualAddress(), bytes));
      }
      return out;
    }
  }

  /**
   * Instruction lengths by offset in .text from binutils' objdump, the second opinion where
   * capstone 4 rejects an instruction (newer AVX-512 forms, some 16-bit-mode SSE encodings).
   */
  static java.util.Map<Integer, Integer> objdumpLengths(Path obj, Mode mode) throws Exception {
    iptq.testing.Required.tool("objdump");
    List<String> cmd = new ArrayList<>(List.of("objdump", "-d", "-j", ".text",
        "--insn-width=16"));
    if (mode == Mode.BITS16) {
      cmd.addAll(List.of("-m", "i8086"));
    }
    cmd.add(obj.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    java.util.Map<Integer, Integer> lengths = new java.util.HashMap<>();
    java.util.regex.Pattern line =
        java.util.regex.Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*\\t");
    for (String l : out.split("\n")) {
      java.util.regex.Matcher m = line.matcher(l);
      if (m.find()) {
        lengths.put(Integer.parseInt(m.group(1), 16), m.group(2).trim().split(" ").length);
      }
    }
    return lengths;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
