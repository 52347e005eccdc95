package iptq.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outputs README.md shows are what the commands print. Every shown command ({@link
 * ShownOutputs}: a fenced block starting with {@code $ iptq}) runs, in README order, as a user
 * would type it in the unpacked release folder: in a fresh folder holding a copy of {@code
 * sample/data} and {@code sample/bin}, through {@code java -cp … iptq.cli.Main} in its own
 * process, standard output and standard error together, globs expanded as a shell would. Each
 * must exit 0, and the README's text must equal what they print.
 *
 * <p>What is fixed so that the output does not depend on the machine: the process runs with
 * {@code COLUMNS=160} (tables are shown as on a 160-column terminal), the {@code en-US} locale
 * (number grouping) and {@code TZ=UTC}; its output is a pipe, not a terminal, and {@code
 * IPTQ_PROGRESS} is unset, so there is no progress line. What is normalized: the absolute path
 * of the work folder prints as {@code DIR}, and trailing blanks are dropped from every line
 * (editors drop them too). Nothing else: a command whose output carries a timing is not shown.
 *
 * <p>After changing what a command prints, regenerate: {@code ./mvnw -B -o test
 * -Dtest=ReadmeWalkthroughTest -Dreadme.update=true} rewrites the blocks from the real output
 * (an output cut with {@code ...} keeps as many lines as it shows now).
 */
class ReadmeWalkthroughTest {
  @TempDir Path work;

  static Path project() {
    String p = System.getenv("IPTQ_PROJECT_DIR");
    return Path.of(p == null ? "." : p).toAbsolutePath().normalize();
  }

  @Test
  void shownOutputsAreWhatTheCommandsPrint() throws Exception {
    Path readme = project().resolve("README.md");
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    List<ShownOutputs.Block> blocks = ShownOutputs.parse(lines);
    assertFalse(blocks.isEmpty(), "README.md shows no command output ($ iptq ... blocks)");
    copyTree(project().resolve("sample/data"), work.resolve("sample/data"));
    copyTree(project().resolve("sample/bin"), work.resolve("sample/bin"));

    List<List<String>> actual = new ArrayList<>();
    for (ShownOutputs.Block b : blocks) {
      for (ShownOutputs.Command c : b.commands()) actual.add(run(c));
    }
    List<String> want = ShownOutputs.rewrite(lines, blocks, actual);
    if (Boolean.getBoolean("readme.update")) {
      if (!want.equals(lines)) Files.write(readme, want, StandardCharsets.UTF_8);
      return;
    }
    for (int i = 0; i < Math.min(want.size(), lines.size()); i++) {
      if (!want.get(i).equals(lines.get(i))) {
        assertEquals(String.join("\n", want), String.join("\n", lines),
            "README.md line " + (i + 1) + " shows\n  " + lines.get(i) + "\nbut the command prints\n  " + want.get(i)
                + "\nregenerate with -Dreadme.update=true (see ReadmeWalkthroughTest)");
      }
    }
    assertEquals(String.join("\n", want), String.join("\n", lines),
        "README.md's shown outputs differ in length from what the commands print; regenerate with -Dreadme.update=true");
  }

  /** Runs one shown command in the work folder; its output, normalized as the class comment says. */
  private List<String> run(ShownOutputs.Command c) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Duser.language=en", "-Duser.country=US",
        "-cp", System.getProperty("java.class.path"),
        "iptq.cli.Main"));
    for (String w : c.words().subList(1, c.words().size())) cmd.addAll(expand(w, c));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().put("COLUMNS", "160");
    pb.environment().remove("IPTQ_PROGRESS"); // the user's wish for progress lines is not the README's
    pb.environment().put("TZ", "UTC");
    pb.environment().put("LC_ALL", "C.UTF-8");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("README.md line " + c.line() + ": `" + c.text() + "` did not finish in 300 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      fail("README.md line " + c.line() + ": `" + c.text() + "` exited " + p.exitValue() + ":\n" + text);
    }
    String dir = work.toAbsolutePath().toString();
    String real = work.toRealPath().toString();
    List<String> lines = new ArrayList<>();
    for (String l : text.replace("\r\n", "\n").split("\n", -1)) {
      lines.add(l.replace(real, "DIR").replace(dir, "DIR").stripTrailing());
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
    return lines;
  }

  /** A word as the shell passes it: an unquoted glob in its last part matches files, sorted. */
  private List<String> expand(String word, ShownOutputs.Command c) throws IOException {
    boolean glob = word.matches("(?s)(^|.*[^\0])[*?].*");
    if (!glob) return List.of(word.replace("\0", ""));
    int slash = word.lastIndexOf('/');
    String dir = slash < 0 ? "" : word.substring(0, slash);
    String name = word.substring(slash + 1);
    if (dir.contains("*") || dir.contains("?")) fail("README.md line " + c.line() + ": a glob only in the last part: " + word);
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name.replace("\0*", "\\*").replace("\0?", "\\?"));
    List<String> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(work.resolve(dir.isEmpty() ? "." : dir))) {
      s.map(p -> p.getFileName().toString()).filter(n -> m.matches(Path.of(n))).sorted()
          .forEach(n -> found.add(dir.isEmpty() ? n : dir + "/" + n));
    }
    if (found.isEmpty()) fail("README.md line " + c.line() + ": " + word + " matches no file");
    return found;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
  }
}
