package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iptq.testing.Fixtures;
import iptq.testing.LibiptKit;
import java.io.IOException;
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
 * iptq packets as a drop-in for ptdump: every case in {@code src/test/ptt/ptdump} (pttc test
 * files written for iptq, one behaviour each) is turned into a trace by libipt 2.2's pttc, then
 * listed by the kit's ptdump and by {@code iptq packets} with the same command line: no options,
 * then each {@code ; ptdump-options: ...} line of the case (a word starting with {@code :} is a
 * {@code :FROM[-TO]} range appended to the trace's name). Standard output must be identical byte
 * for byte. Where the case states what ptdump prints ({@code @pt .exp(ptdump)}), ptdump must
 * print that too, so every case shows the behaviour it is named after. A {@code ; pttc-options:}
 * line passes options to pttc.
 */
class PtdumpDropInTest {
  static final Path CASES = Fixtures.projectDir().resolve("src/test/ptt/ptdump");

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
    System.out.println("ptdump drop-in: " + same + " of " + runs + " listings identical to ptdump 2.2's");
  }

  /** The run without options and one per {@code ; ptdump-options:} line. */
  static List<List<String>> optionSets(Path ptt) throws IOException {
    List<List<String>> sets = new ArrayList<>();
    sets.add(List.of());
    for (String opts : directive(ptt, "; ptdump-options:")) sets.add(List.of(opts.split("\\s+")));
    return sets;
  }

  static List<String> directive(Path ptt, String prefix) throws IOException {
    List<String> found = new ArrayList<>();
    for (String line : Files.readAllLines(ptt)) {
      String l = line.strip();
      if (l.startsWith(prefix)) found.add(l.substring(prefix.length()).strip());
    }
    return found;
  }

  private static void check(Path ptt, String name, List<String> opts) throws Exception {
    Path dir = work.resolve(name);
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve(name + ".pt"))) {
      List<String> pttcOpts = new ArrayList<>();
      for (String o : directive(ptt, "; pttc-options:")) pttcOpts.addAll(List.of(o.split("\\s+")));
      LibiptKit.pttc(ptt, dir, pttcOpts.toArray(new String[0]));
    }
    List<String> args = new ArrayList<>();
    String pt = dir.resolve(name + ".pt").toString();
    for (String o : opts) {
      if (o.startsWith(":")) pt += o;
      else args.add(o);
    }
    args.add(pt);

    List<String> cmd = new ArrayList<>(List.of(LibiptKit.ptdump().toString()));
    cmd.addAll(args);
    LibiptKit.Result ref = LibiptKit.runAllowingFailure(cmd, dir);
    assertEquals(0, ref.exit(), name + " " + opts + ": ptdump 2.2 failed: " + ref.stderr());
    String want = ref.stdout();
    Path exp = dir.resolve(name + "-ptdump.exp");
    if (opts.isEmpty() && Files.exists(exp)) {
      assertEquals(Files.readString(exp).strip(), want.strip(), name + ": ptdump 2.2 does not print what the case says");
    }

    List<String> iptqArgs = new ArrayList<>(List.of("packets"));
    iptqArgs.addAll(args);
    String got = PtxedDropInTest.iptq(iptqArgs.toArray(new String[0]));
    runs++;
    if (want.equals(got)) same++;
    assertEquals(want, got, name + " " + opts + ": ptdump 2.2 (expected) vs iptq packets");
  }
}
