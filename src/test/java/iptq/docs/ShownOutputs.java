package iptq.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * The shown outputs of a Markdown file: fenced blocks whose first line starts with {@code $ iptq}.
 * Such a block holds one or more commands, each a line {@code $ iptq ...} (continued onto the
 * next line by a trailing backslash, as in a shell) followed by the output it prints. A line
 * {@code ...} in an output stands for lines left out: the lines before it are the output's first
 * lines, the lines after it its last ones (at most one such line per output). Other fenced blocks
 * are examples to read, not outputs, and are left alone.
 */
final class ShownOutputs {
  private ShownOutputs() {}

  static final String ELLIPSIS = "...";

  /**
   * One shown command: its lines as written (with "$ "), its words, and the output shown: all of
   * it ({@code cut} false, {@code head}), or its first lines ({@code head}) and last ones ({@code tail}).
   */
  record Command(List<String> shown, List<String> words, List<String> head, List<String> tail, boolean cut, int line) {
    String text() {
      return String.join(" ", words);
    }
  }

  /** A block from its opening fence line to its closing one (0-based, both fences included). */
  record Block(int open, int close, List<Command> commands) {}

  static List<Block> parse(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).startsWith("```")) continue;
      int close = i + 1;
      while (close < lines.size() && !lines.get(close).startsWith("```")) close++;
      if (close >= lines.size()) throw new IllegalArgumentException("line " + (i + 1) + ": fenced block never closed");
      if (close > i + 1 && lines.get(i + 1).startsWith("$ iptq")) {
        blocks.add(new Block(i, close, commands(lines.subList(i + 1, close), i + 2)));
      }
      i = close;
    }
    return blocks;
  }

  private static List<Command> commands(List<String> body, int firstLine) {
    List<Command> out = new ArrayList<>();
    int i = 0;
    while (i < body.size()) {
      String first = body.get(i);
      if (!first.startsWith("$ ")) throw new IllegalArgumentException("line " + (firstLine + i) + ": expected '$ iptq ...'");
      int line = firstLine + i;
      List<String> shown = new ArrayList<>();
      StringBuilder joined = new StringBuilder();
      while (true) {
        String l = body.get(i++);
        shown.add(l);
        String s = shown.size() == 1 ? l.substring(2) : l;
        if (s.endsWith("\\") && i < body.size()) {
          joined.append(s, 0, s.length() - 1).append(' ');
        } else {
          joined.append(s);
          break;
        }
      }
      List<String> output = new ArrayList<>();
      while (i < body.size() && !body.get(i).startsWith("$ ")) output.add(body.get(i++));
      while (!output.isEmpty() && output.get(output.size() - 1).isBlank()) output.remove(output.size() - 1);
      int dots = output.indexOf(ELLIPSIS);
      if (dots >= 0 && output.lastIndexOf(ELLIPSIS) != dots) {
        throw new IllegalArgumentException("line " + line + ": at most one '...' per output");
      }
      boolean cut = dots >= 0;
      List<String> head = cut ? output.subList(0, dots) : output;
      List<String> tail = cut ? output.subList(dots + 1, output.size()) : List.of();
      List<String> words = words(joined.toString(), line);
      if (words.isEmpty() || !words.get(0).equals("iptq")) {
        throw new IllegalArgumentException("line " + line + ": only iptq commands can be shown: " + joined);
      }
      out.add(new Command(List.copyOf(shown), words, List.copyOf(head), List.copyOf(tail), cut, line));
    }
    return out;
  }

  /** Splits a command line as a POSIX shell would: blanks separate, quotes group, # comments. */
  static List<String> words(String s, int line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, i + 1);
        while (c == '"' && end > 0 && s.charAt(end - 1) == '\\') end = s.indexOf(c, end + 1);
        if (end < 0) throw new IllegalArgumentException("line " + line + ": unclosed quote in " + s);
        String q = s.substring(i + 1, end);
        if (c == '"') q = q.replace("\\\"", "\"");
        if (w == null) w = new StringBuilder();
        // a quoted glob character is not a glob: marked so the runner leaves it alone
        w.append(q.replace("*", "\0*").replace("?", "\0?"));
        i = end;
      } else if (Character.isWhitespace(c)) {
        if (w != null) words.add(w.toString());
        w = null;
      } else if (c == '#' && w == null) {
        break;
      } else {
        if (w == null) w = new StringBuilder();
        w.append(c);
      }
    }
    if (w != null) words.add(w.toString());
    return words;
  }

  /** The file with every block's outputs replaced by {@code actual} (one list per command, in order). */
  static List<String> rewrite(List<String> lines, List<Block> blocks, List<List<String>> actual) {
    List<String> out = new ArrayList<>();
    int next = 0;
    int k = 0;
    for (Block b : blocks) {
      out.addAll(lines.subList(next, b.open() + 1));
      for (int c = 0; c < b.commands().size(); c++) {
        Command cmd = b.commands().get(c);
        if (c > 0) out.add("");
        out.addAll(cmd.shown());
        List<String> now = actual.get(k++);
        int h = cmd.head().size();
        int t = cmd.tail().size();
        if (cmd.cut() && now.size() > h + t) {
          out.addAll(now.subList(0, h));
          out.add(ELLIPSIS);
          out.addAll(now.subList(now.size() - t, now.size()));
        } else {
          out.addAll(now);
        }
      }
      next = b.close();
    }
    out.addAll(lines.subList(next, lines.size()));
    return out;
  }
}
