package iptq.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shown-output blocks are read as a shell and a reader would read them. */
class ShownOutputsTest {
  static final List<String> PAGE = List.of(
      "# t",
      "```sh",
      "iptq demo        # an example, not an output",
      "```",
      "```",
      "$ iptq ingest a/*.etl \\",
      "    --dump \"my dump.dmp\" -o 'x.duckdb'   # comment",
      "x.duckdb: 1 trace(s)",
      "",
      "$ iptq sql x.duckdb \"SELECT \\\"a b\\\" FROM t\"",
      "first",
      "...",
      "last",
      "```",
      "after");

  @Test
  void blocksCommandsWordsAndCuts() {
    List<ShownOutputs.Block> blocks = ShownOutputs.parse(PAGE);
    assertEquals(1, blocks.size());
    ShownOutputs.Block b = blocks.get(0);
    assertEquals(4, b.open());
    assertEquals(13, b.close());
    ShownOutputs.Command ingest = b.commands().get(0);
    assertEquals(List.of("iptq", "ingest", "a/*.etl", "--dump", "my dump.dmp", "-o", "x.duckdb"), ingest.words());
    assertEquals(List.of("x.duckdb: 1 trace(s)"), ingest.head());
    assertEquals(6, ingest.line());
    ShownOutputs.Command sql = b.commands().get(1);
    assertEquals(List.of("iptq", "sql", "x.duckdb", "SELECT \"a b\" FROM t"), sql.words());
    assertTrue(sql.cut());
    assertEquals(List.of("first"), sql.head());
    assertEquals(List.of("last"), sql.tail());
  }

  @Test
  void quotedGlobsAreMarkedAsNoGlobs() {
    assertEquals(List.of("iptq", "sql", "d", "SELECT \0* FROM t", "x*"),
        ShownOutputs.words("iptq sql d \"SELECT * FROM t\" x*", 1));
  }

  @Test
  void rewriteKeepsTheCutsAndTheRestOfThePage() {
    List<ShownOutputs.Block> blocks = ShownOutputs.parse(PAGE);
    List<String> out = ShownOutputs.rewrite(PAGE, blocks,
        List.of(List.of("x.duckdb: 2 trace(s)"), List.of("first", "2", "3", "last")));
    assertEquals(PAGE.subList(0, 7), out.subList(0, 7));
    assertEquals(List.of("x.duckdb: 2 trace(s)", "", PAGE.get(9), "first", "...", "last", "```", "after"),
        out.subList(7, out.size()));
    // the same output again leaves the page as it is
    assertEquals(out, ShownOutputs.rewrite(out, ShownOutputs.parse(out),
        List.of(List.of("x.duckdb: 2 trace(s)"), List.of("first", "2", "3", "last"))));
    // an output no longer than what is shown drops the "..."
    List<String> whole = ShownOutputs.rewrite(PAGE, blocks, List.of(List.of("x"), List.of("first", "last")));
    assertEquals(List.of("first", "last", "```"), whole.subList(whole.size() - 4, whole.size() - 1));
  }

  @Test
  void onlyIptqCommandsAndOneCutPerOutput() {
    assertThrows(IllegalArgumentException.class,
        () -> ShownOutputs.parse(List.of("```", "$ iptq info x", "$ duckdb x", "```")));
    assertThrows(IllegalArgumentException.class,
        () -> ShownOutputs.parse(List.of("```", "$ iptq info x", "a", "...", "b", "...", "```")));
    assertThrows(IllegalArgumentException.class, () -> ShownOutputs.parse(List.of("```", "$ iptq info x")));
  }
}
