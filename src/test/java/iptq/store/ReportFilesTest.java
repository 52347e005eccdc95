package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The report files: each listed, each with a header, and parameters declared exactly as used. */
class ReportFilesTest {
  @Test
  void everyQueryFileIsListedAndEveryListedReportExists() throws Exception {
    Path dir = SchemaReadmeTest.project().resolve("queries");
    Set<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql"))
          .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(Report.names()));
    assertEquals(Set.of("functions-before", "hot-functions", "hot-blocks", "call-tree", "module-coverage",
        "decode-health", "syscall-paths", "segment-diff", "timeline"), files);
  }

  @Test
  void headersDeclareExactlyTheVariablesTheSqlReads() {
    Pattern use = Pattern.compile("getvariable\\('([a-z_]+)'\\)");
    for (Report r : Report.all()) {
      assertFalse(r.title().isBlank(), r.name());
      assertTrue(r.description().length() > 40, r.name());
      Set<String> used = new TreeSet<>();
      Matcher m = use.matcher(r.sql());
      while (m.find()) used.add(m.group(1));
      Set<String> declared = r.params().stream().map(Report.Param::name).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(declared, used, r.name());
      assertFalse(r.sql().contains(";"), r.name() + " must be one statement");
    }
  }

  @Test
  void headerParsing() {
    Report r = Report.parse("x", """
        -- title: T
        -- description: first line
        --   second line
        -- param: a = 5 -- the a
        -- param: b -- required one
        -- param: c = x y
        SELECT getvariable('a'), getvariable('b'), getvariable('c');
        """);
    assertEquals("T", r.title());
    assertEquals("first line second line", r.description());
    assertEquals(java.util.List.of(new Report.Param("a", "5", "the a"), new Report.Param("b", null, "required one"),
        new Report.Param("c", "x y", "")), r.params());
    assertEquals("SELECT getvariable('a'), getvariable('b'), getvariable('c')", r.sql());
  }
}
