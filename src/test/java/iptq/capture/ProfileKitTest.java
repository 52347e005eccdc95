package iptq.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.cli.Main;
import iptq.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The capture kit's profiles: each is what {@code iptq profile} writes, and each keeps the rules. */
class ProfileKitTest {
  private static final Pattern COMMENTS = Pattern.compile("Comments=\"(iptq profile [^\"]*)\"");

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static List<Path> kitProfiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Fixtures.projectDir().resolve("ingest"), "*.wprp")) {
      ds.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  @Test
  void everyKitProfileIsRegeneratedByteForByteAndKeepsTheRules(@TempDir Path tmp) throws IOException {
    List<Path> profiles = kitProfiles();
    assertTrue(profiles.size() >= 3, "ingest/ should hold the three common profiles, has " + profiles);
    List<String> covered = new ArrayList<>();
    for (Path p : profiles) {
      byte[] committed = Files.readAllBytes(p);
      Matcher m = COMMENTS.matcher(new String(committed, StandardCharsets.UTF_8));
      assertTrue(m.find(), p + " records no 'iptq profile' command in its Comments attribute");
      List<String> args = new ArrayList<>(Arrays.asList(m.group(1).split(" ")));
      args.remove(0); // "iptq"
      Path regenerated = tmp.resolve(p.getFileName());
      args.add("-o");
      args.add(regenerated.toString());
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.exit(), p + ": " + r.err());
      assertEquals(
          new String(committed, StandardCharsets.UTF_8),
          Files.readString(regenerated),
          p + " differs from what `" + m.group(1) + "` writes now");
      assertEquals(List.of(), ProfileRules.violations(committed), p.toString());
      covered.add(m.group(1));
    }
    String all = String.join("\n", covered);
    assertTrue(all.contains("--code-mode kernel --buffer 4 --event SystemCallExit "), all);
    assertTrue(all.contains("--code-mode kernel --buffer 8 --event CSwitch "), all);
    assertTrue(all.contains("--code-mode userkernel --buffer 16 --event SystemCallExit --event CSwitch "), all);
  }

  @Test
  void misspeltEventIsAUsageErrorWithASuggestion() {
    Run r = run("profile", "--code-mode", "kernel", "--buffer", "4", "--event", "SystemCalExit");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("unknown event 'SystemCalExit'; did you mean SystemCallExit?"), r.err());
    assertEquals("", r.out());
    Run lower = run("profile", "--code-mode", "kernel", "--buffer", "4", "--event", "cswitch");
    assertEquals(2, lower.exit());
    assertTrue(lower.err().contains("did you mean CSwitch?"), lower.err());
    Run nonsense = run("profile", "--code-mode", "kernel", "--buffer", "4", "--event", "Qqqqqqqqqqqqqq");
    assertEquals(2, nonsense.exit());
    assertTrue(!nonsense.err().contains("did you mean"), nonsense.err());
  }

  @Test
  void badBufferAndCodeModeAreUsageErrors() {
    Run buffer = run("profile", "--code-mode", "kernel", "--buffer", "64", "--event", "CSwitch");
    assertEquals(2, buffer.exit());
    assertTrue(buffer.err().contains("not one of 4, 8, 16, 32"), buffer.err());
    Run mode = run("profile", "--code-mode", "supervisor", "--buffer", "4", "--event", "CSwitch");
    assertEquals(2, mode.exit());
    assertTrue(mode.err().contains("not one of kernel, user, userkernel"), mode.err());
  }

  @Test
  void standardOutputGetsTheProfileAndEveryModeAndSizeIsValid() {
    for (String mode : List.of("kernel", "user", "userkernel")) {
      for (int kb : IptProfileSpec.BUFFER_SIZES) {
        Run r = run("profile", "--code-mode", mode, "--buffer", Integer.toString(kb), "--event", "ReadyThread",
            "--event", "SampledProfile", "--name", "T");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(), ProfileRules.violations(r.out().getBytes(StandardCharsets.UTF_8)));
        assertTrue(r.out().contains("<CodeMode Value=\"" + CodeMode.ofOption(mode).wprValue() + "\"/>"));
        assertTrue(r.out().contains("<Keyword Value=\"ReadyThread\"/>"));
        assertTrue(r.out().contains("<Keyword Value=\"SampledProfile\"/>"));
      }
    }
  }

  @Test
  void eventListIsTheSchemasEnumeration() {
    Run r = run("profile", "--list-events");
    assertEquals(0, r.exit());
    List<String> names = r.out().lines().toList();
    assertEquals(158, names.size());
    assertEquals("AlpcClosePort", names.get(0));
    assertEquals("VirtualFree", names.get(names.size() - 1));
    assertTrue(names.contains("SystemCallExit") && names.contains("CSwitch"));
  }

  /** The checker must be able to fail: each broken variant of a good profile is caught. */
  @Test
  void checkerCatchesEachBrokenRule() throws IOException {
    String good = Files.readString(Fixtures.projectDir().resolve("ingest/IptKernelSyscallExit.wprp"));
    assertEquals(List.of(), ProfileRules.violations(good.getBytes(StandardCharsets.UTF_8)));
    String[][] cases = {
      {"<CodeMode Value=\"Kernel\"/>", "<CodeMode Value=\"Ring0\"/>", "CodeMode/@Value: 'Ring0'"},
      {"<BufferSize Value=\"4\"/>", "<BufferSize Value=\"64\"/>", "ProcessorTrace/BufferSize/@Value"},
      {"<Event Value=\"SystemCallExit\"/>", "<Event Value=\"SystemCallExt\"/>", "did you mean SystemCallExit?"},
      {"<HardwareCounterId Value=\"IptqProcessorTrace\"/>", "<HardwareCounterId Value=\"Nope\"/>",
        "HardwareCounterId: 'Nope' names no <HardwareCounter"},
      {"<SystemProviderId Value=\"IptqSystemProvider\"/>", "<SystemProviderId Value=\"Nope\"/>",
        "SystemProviderId: 'Nope' names no"},
      {"<SystemCollectorId Value=\"IptqKernelCollector\">", "<SystemCollectorId Value=\"Nope\">",
        "SystemCollectorId: 'Nope' names no"},
      {"<HardwareCounter Id=\"IptqProcessorTrace\">", "<HardwareCounter Id=\"IptqSystemProvider\">",
        "is used twice"},
      {"LoggingMode=\"Memory\"", "LoggingMode=\"File\"", "both a File and a Memory profile"},
      {"Name=\"NT Kernel Logger\"", "Name=\"My Logger\"", "SystemCollector/@Name"},
      {"<Keyword Value=\"Loader\"/>", "<Keyword Value=\"Loadr\"/>", "did you mean Loader?"},
      {"<Keyword Value=\"SystemCall\"/>", "<Keyword Value=\"Loader\"/>", "listed twice"},
      {"<Keyword Value=\"SystemCall\"/>", "", "logged only with keyword SystemCall"},
      {"Version=\"1.0\" ", "", "required attribute Version is missing"},
      {"<CodeMode Value=\"Kernel\"/>", "", "needs at least 1 <CodeMode>"},
      {"<Profiles>", "<Profiles><Profile/>", "out of the schema's order"},
      {"<ProcessorTrace>", "<ProcessorTrace><LastBranch/>", "element not allowed here"},
      {"Base=\"IptKernelSyscallExit.Verbose.File\"", "Base=\"Other.Verbose.File\"", "Base 'Other.Verbose.File' names no profile"},
      {"Id=\"IptKernelSyscallExit.Verbose.File\" Name", "Id=\"Wrong.Verbose.File\" Name", "Id must be Name.DetailLevel.LoggingMode"},
      {"</WindowsPerformanceRecorder>", "", "not well-formed XML"},
    };
    for (String[] c : cases) {
      assertTrue(good.contains(c[0]), "test case does not apply: " + c[0]);
      String bad = good.replaceFirst(Pattern.quote(c[0]), Matcher.quoteReplacement(c[1]));
      List<String> v = ProfileRules.violations(bad.getBytes(StandardCharsets.UTF_8));
      assertTrue(v.stream().anyMatch(s -> s.contains(c[2])), c[0] + " -> " + c[1] + ": expected '" + c[2] + "' in " + v);
    }
    String withDoctype = good.replace("<WindowsPerformanceRecorder", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<WindowsPerformanceRecorder");
    assertTrue(ProfileRules.violations(withDoctype.getBytes(StandardCharsets.UTF_8)).get(0).startsWith("not well-formed XML"));
  }

  @Test
  void suggestionsUseEditDistance() {
    assertEquals(1, iptq.EditDistance.of("CSwtich", "CSwitch") == 1 ? 1 : 0);
    assertEquals(List.of("SystemCallEnter"), SchemaNames.closest("SystemCalEnter", SchemaNames.get().stackEvents()));
    assertEquals(List.of("ImageLoad"), SchemaNames.closest("imageload", SchemaNames.get().stackEvents()));
    assertEquals(List.of(), SchemaNames.closest("zz", SchemaNames.get().stackEvents()));
  }
}
