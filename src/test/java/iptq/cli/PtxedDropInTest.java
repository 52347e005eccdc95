package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iptq.testing.Fixtures;
import iptq.testing.LibiptKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * iptq insns as a drop-in for ptxed: every case in {@code src/test/ptt/ptxed} (pttc test files
 * written for iptq, one behaviour each) is turned into a trace and code by libipt 2.2's pttc, then
 * listed by the kit's ptxed and by {@code iptq insns} with the same command line
 * ({@code --no-inst --raw NAME.bin:ORG --pt NAME.pt}, plus each {@code ; ptxed-options: ...}
 * line of the case as a further run, with {@code --no-inst} too: iptq's instruction text is
 * capstone's, ptxed's XED's; and with the case's {@code ; ptxed-base: ...} options, see
 * {@link #optionSets}); the outputs must be identical byte for byte. Where the case
 * states what ptxed prints ({@code @pt .exp(ptxed)}), ptxed must print that too, so every case
 * shows the behaviour it is named after.
 */
class PtxedDropInTest {
  static final Path CASES = Fixtures.projectDir().resolve("src/test/ptt/ptxed");

  @TempDir static Path work;

  private static int same, runs;

  @TestFactory
  Stream<DynamicTest> everyCase() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(CASES)) {
      cases = s.filter(p -> p.toString().endsWith(".ptt")).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path ptt : cases) {
      String name = ptt.getFileName().toString().replace(".ptt", "");
      for (List<String> opts : optionSets(ptt)) {
        tests.add(DynamicTest.dynamicTest(name + " " + String.join(" ", opts), () -> check(ptt, name, opts)));
      }
    }
    return tests.stream();
  }

  @AfterAll
  static void report() {
    System.out.println("ptxed drop-in: " + same + " of " + runs + " listings identical to ptxed 2.2's");
  }

  /**
   * The default run ({@code --no-inst}) and one per {@code ; ptxed-options:} line, each with the
   * case's {@code ; ptxed-base:} options if it has them: {@code --insn-decoder} where the code
   * holds instructions the kit's XED cannot decode (ptxed's block decoder re-decodes every
   * instruction with XED to list it and prints XED's failure; its instruction decoder lists what
   * libipt decoded).
   */
  static List<List<String>> optionSets(Path ptt) throws IOException {
    List<String> base = new ArrayList<>(List.of("--no-inst"));
    List<String> lines = Files.readAllLines(ptt);
    for (String line : lines) {
      String l = line.strip();
      if (l.startsWith("; ptxed-base:")) base.addAll(List.of(l.substring("; ptxed-base:".length()).strip().split("\\s+")));
    }
    List<List<String>> sets = new ArrayList<>();
    sets.add(base);
    for (String line : lines) {
      String l = line.strip();
      if (!l.startsWith("; ptxed-options:")) continue;
      // Always --no-inst: iptq prints capstone's instruction text where ptxed prints XED's.
      List<String> set = new ArrayList<>(base);
      set.addAll(List.of(l.substring("; ptxed-options:".length()).strip().split("\\s+")));
      sets.add(set);
    }
    return sets;
  }

  private static void check(Path ptt, String name, List<String> opts) throws Exception {
    Path dir = work.resolve(name);
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve(name + ".pt"))) LibiptKit.pttc(ptt, dir);
    String org = org(ptt);
    List<String> args = new ArrayList<>(opts);
    args.addAll(List.of("--raw", dir.resolve(name + ".bin") + ":" + org, "--pt", dir.resolve(name + ".pt").toString()));

    List<String> cmd = new ArrayList<>(List.of(LibiptKit.ptxed().toString()));
    cmd.addAll(args);
    String want = LibiptKit.runAllowingFailure(cmd, dir).stdout();
    Path exp = dir.resolve(name + "-ptxed.exp");
    if (opts.equals(optionSets(ptt).get(0)) && Files.exists(exp)) {
      assertEquals(Files.readString(exp).strip(), want.strip(), name + ": ptxed 2.2 does not print what the case says");
    }

    List<String> iptqArgs = new ArrayList<>(List.of("insns"));
    iptqArgs.addAll(args);
    String got = iptq(iptqArgs.toArray(new String[0]));
    runs++;
    if (want.equals(got)) same++;
    assertEquals(want, got, name + " " + opts + ": ptxed 2.2 (expected) vs iptq insns");
  }

  /** The case's load address: its {@code org} directive. */
  static String org(Path ptt) throws IOException {
    for (String line : Files.readAllLines(ptt)) {
      String l = line.strip();
      if (l.startsWith("org ")) return l.substring(4).strip();
    }
    throw new AssertionError(ptt + " has no org directive");
  }

  static String iptq(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int exit = Main.commandLine().execute(args);
      if (exit != 0) return "exit " + exit + "\n" + out.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
