package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's help, rendered at 80 and 120 columns: sentences whole (no description cut
 * where the command list shows only its first line, no hard line break inside a sentence), no
 * usage line broken inside an option, every parameter described, and one name per option
 * across the commands.
 */
class HelpTest {
  static List<CommandLine> all() {
    List<CommandLine> out = new ArrayList<>();
    CommandLine root = Main.commandLine();
    out.add(root);
    for (CommandLine sub : root.getSubcommands().values()) if (!out.contains(sub)) out.add(sub);
    return out;
  }

  static String help(CommandLine cl, int width) {
    cl.getCommandSpec().usageMessage().width(width);
    return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** A paragraph that ends as a sentence (or a list of examples) ends. */
  static boolean whole(String paragraph) {
    if (paragraph.startsWith("  ")) return true; // an example line, shown as typed
    String p = paragraph.replace("%n", "").strip();
    return p.isEmpty() || p.endsWith(".") || p.endsWith(")") || p.endsWith(":") || p.endsWith("?");
  }

  /** An option's text (often a phrase, not a sentence) is cut when it ends as no phrase ends. */
  static boolean cut(String text) {
    String t = text.strip();
    return t.endsWith(",") || t.endsWith(";") || t.endsWith("-")
        || t.matches("(?s).*\\b(and|or|the|a|an|of|to|with|in|on|for|from)$");
  }

  @Test
  void everyDescriptionParagraphIsWhole() {
    for (CommandLine cl : all()) {
      CommandSpec spec = cl.getCommandSpec();
      for (String p : spec.usageMessage().description()) {
        assertTrue(whole(p), spec.qualifiedName() + ": a description paragraph cut mid-sentence: '" + p + "'");
      }
      for (OptionSpec o : spec.options()) {
        if (o.hidden()) continue; // not in the help
        String[] d = o.description();
        for (String x : d) {
          assertTrue(!cut(x) && (d.length == 1 || whole(x)), spec.qualifiedName() + " " + o.longestName() + ": '" + x + "'");
        }
        assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), spec.qualifiedName() + " " + o.longestName() + " is not described");
      }
      for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
        assertTrue(p.description().length > 0 && !p.description()[0].isBlank(),
            spec.qualifiedName() + " " + p.paramLabel() + " is not described");
        for (String d : p.description()) assertTrue(!cut(d), spec.qualifiedName() + " " + p.paramLabel() + ": '" + d + "'");
      }
    }
  }

  @ParameterizedTest(name = "width {0}")
  @ValueSource(ints = {80, 120})
  void theCommandListShowsWholeSentences(int width) {
    String top = help(Main.commandLine(), width);
    String list = top.substring(top.indexOf("Commands:"));
    // each command's line(s) in the list: the entry ends as a sentence ends
    StringBuilder entry = new StringBuilder();
    List<String> entries = new ArrayList<>();
    for (String line : list.lines().skip(1).toList()) {
      if (line.matches("  \\S.*")) {
        if (entry.length() > 0) entries.add(entry.toString());
        entry.setLength(0);
      }
      entry.append(line.strip()).append(' ');
    }
    entries.add(entry.toString());
    assertEquals(Main.commandLine().getSubcommands().size(), entries.size(), list);
    for (String e : entries) assertTrue(whole(e), "cut: '" + e + "'\n" + list);
  }

  @ParameterizedTest(name = "width {0}")
  @ValueSource(ints = {80, 120})
  void usageLinesNeverBreakInsideAnOption(int width) {
    for (CommandLine cl : all()) {
      String h = help(cl, width);
      // the synopsis: "Usage: ..." and the indented lines that continue it
      List<String> lines = h.lines().toList();
      List<String> synopsis = new ArrayList<>(List.of(lines.get(0)));
      for (String line : lines.subList(1, lines.size())) {
        if (!line.startsWith(" ")) break;
        synopsis.add(line);
      }
      for (String line : synopsis) {
        assertTrue(line.length() <= width, line);
        long open = line.chars().filter(ch -> ch == '[').count();
        long close = line.chars().filter(ch -> ch == ']').count();
        assertEquals(open, close, cl.getCommandSpec().qualifiedName() + " at " + width + ": an option broken over lines:\n" + String.join("\n", synopsis));
        assertTrue(!line.endsWith("-") && !line.strip().startsWith("[no-"), String.join("\n", synopsis));
      }
      for (String line : h.lines().toList()) assertTrue(line.length() <= width, cl.getCommandSpec().qualifiedName() + ": " + line);
    }
  }

  @Test
  void oneNamePerOptionAcrossCommands() {
    Map<String, String> labelOf = new HashMap<>();
    Set<Set<String>> synonyms = Set.of(Set.of("--cpuid-15", "--cpuid-0x15.eax"), Set.of("--nominal-ratio", "--nom-freq"));
    Set<String> names = new java.util.TreeSet<>();
    for (CommandLine cl : all()) {
      for (OptionSpec o : cl.getCommandSpec().options()) {
        for (String n : o.names()) {
          names.add(n);
          // -o is a database, a file or a folder by command; what must agree is whether it takes a value
          String label = o.arity().toString();
          String before = labelOf.putIfAbsent(n, label);
          // --raw: ptdump's (packets: show the bytes) is a flag, ptxed's (insns: FILE:BASE) takes a value; each drop-in spells it as its tool
          if (before != null && !o.usageHelp() && !o.versionHelp() && !n.equals("--raw")) {
            assertEquals(before, label, n + " takes different values in " + cl.getCommandSpec().qualifiedName());
          }
        }
      }
    }
    for (Set<String> s : synonyms) {
      assertTrue(names.stream().filter(s::contains).count() <= 1, "two names for one option: " + s);
    }
  }
}
