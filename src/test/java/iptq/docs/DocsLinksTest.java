package iptq.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md, docs/*.md and the folders' own READMEs leads somewhere: the
 * file or folder exists, and a {@code #anchor} names a heading of the target as GitHub makes
 * anchors (lower case, punctuation dropped, blanks to hyphens, repeats numbered -1, -2, …).
 * Links to other sites are not followed (the tests run offline).
 */
class DocsLinksTest {

  static List<Path> pages(Path root) throws IOException {
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> s = Files.list(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    for (String dir : List.of("ingest", "sample", "schema")) {
      Path p = root.resolve(dir).resolve("README.md");
      if (Files.exists(p)) pages.add(p);
    }
    return pages;
  }

  @Test
  void everyRelativeLinkResolves() throws IOException {
    Path root = ReadmeWalkthroughTest.project();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    Map<Path, Set<String>> anchors = new HashMap<>();
    for (Path page : pages(root)) {
      for (MarkdownLinks.Link link : MarkdownLinks.relative(Files.readAllLines(page, StandardCharsets.UTF_8))) {
        checked++;
        String file = link.file();
        String anchor = link.anchor();
        Path to = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = root.relativize(page) + ":" + link.line() + ": " + link.target();
        if (!Files.exists(to)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null) {
          if (!to.toString().endsWith(".md")) {
            broken.add(where + " (an anchor into a file that is not Markdown)");
          } else if (!anchors.computeIfAbsent(to, DocsLinksTest::anchorsOf).contains(anchor)) {
            broken.add(where + " (no heading with that anchor in " + root.relativize(to) + ")");
          }
        }
      }
    }
    assertTrue(checked > 20, "found only " + checked + " relative links: is the link pattern still right?");
    assertEquals(List.of(), broken, "broken links");
  }

  @Test
  void anchorsAreGithubs() {
    assertEquals(List.of("a-walk-through", "code-sources-dumps-pe-files-import-optimization-fixups-iptqimage",
            "the-samples-code-sample", "performance", "performance-1"),
        List.copyOf(anchorsOf(List.of("## A walk-through",
            "## Code sources: dumps, PE files, import-optimization fixups (`iptq.image`)",
            "## The sample's code (`sample/`)", "# Performance", "### Performance"))));
  }

  private static Set<String> anchorsOf(Path md) {
    try {
      return anchorsOf(Files.readAllLines(md, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Set<String> anchorsOf(List<String> lines) {
    Set<String> out = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String l : MarkdownLinks.prose(lines)) {
      Matcher h = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$").matcher(l);
      if (!h.matches()) continue;
      String a = h.group(1).toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N}\\s_-]", "")
          .replace(' ', '-');
      int n = seen.merge(a, 1, Integer::sum) - 1;
      out.add(n == 0 ? a : a + "-" + n);
    }
    return out;
  }
}
