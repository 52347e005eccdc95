package iptq.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Shell lines from a terminal through JLine: line editing, history kept in ~/.iptq_history, and
 * Tab completion of the dot commands, of table and column names, and of file names after .read.
 */
public final class TerminalLines implements Shell.Lines, AutoCloseable {
  private static final List<String> MODES = List.of("table", "csv", "tsv", "json");

  private final Terminal terminal;
  private final LineReader reader;

  /** On the process's own terminal; {@code names} and {@code relations} feed completion. */
  public TerminalLines(Supplier<List<String>> names, Supplier<List<String>> relations) throws IOException {
    this(TerminalBuilder.builder().system(true).build(), names, relations,
        Path.of(System.getProperty("user.home"), ".iptq_history"));
  }

  TerminalLines(Terminal terminal, Supplier<List<String>> names, Supplier<List<String>> relations, Path history) {
    this.terminal = terminal;
    reader = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("iptq")
        .parser(new SqlWords())
        .completer(new Names(names, relations))
        .variable(LineReader.HISTORY_FILE, history)
        .variable(LineReader.HISTORY_SIZE, 5000)
        // statements span lines; the shell, not JLine, decides where one ends
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        .build();
  }

  @Override
  public String read(String prompt) {
    try {
      return reader.readLine(prompt);
    } catch (UserInterruptException e) {
      // Ctrl-C: the shell drops the unfinished statement too
      throw new Shell.Cancelled();
    } catch (EndOfFileException e) {
      return null;
    }
  }

  public int width() {
    int w = terminal.getWidth();
    return w <= 0 ? 160 : w;
  }

  public java.io.PrintWriter writer() {
    return terminal.writer();
  }

  @Override
  public void close() throws IOException {
    try {
      reader.getHistory().save();
    } finally {
      terminal.close();
    }
  }

  /**
   * Words as SQL separates them: a name after "FROM segments," or "count(" completes too. No
   * escape characters (a backslash is text in SQL), and an open quote never asks JLine for more
   * lines: the shell decides where a statement ends.
   */
  static final class SqlWords extends DefaultParser {
    SqlWords() {
      escapeChars(new char[0]);
      setEofOnUnclosedQuote(false);
      setEofOnUnclosedBracket();
    }

    @Override
    public boolean isDelimiterChar(CharSequence buffer, int pos) {
      char c = buffer.charAt(pos);
      // a dot command's words (".read my-file.sql") are split at spaces only
      if (buffer.toString().stripLeading().startsWith(".")) return Character.isWhitespace(c);
      return Character.isWhitespace(c) || ",()=<>;+-*/|".indexOf(c) >= 0;
    }
  }

  /** What Tab offers, by where the cursor is. */
  static final class Names implements Completer {
    private final Supplier<List<String>> names;
    private final Supplier<List<String>> relations;
    private final Completer files = new Completers.FileNameCompleter();

    Names(Supplier<List<String>> names, Supplier<List<String>> relations) {
      this.names = names;
      this.relations = relations;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> out) {
      List<String> words = line.words();
      String first = words.isEmpty() ? "" : words.get(0);
      boolean dot = line.line().stripLeading().startsWith(".");
      if (dot && line.wordIndex() == 0) {
        for (String c : Shell.COMMANDS) out.add(new Candidate(c));
      } else if (dot && line.wordIndex() == 1) {
        switch (first) {
          case ".schema" -> relations.get().forEach(n -> out.add(new Candidate(n)));
          case ".mode" -> MODES.forEach(m -> out.add(new Candidate(m)));
          case ".read" -> files.complete(reader, line, out);
          default -> {}
        }
      } else if (!dot) {
        for (String n : names.get()) out.add(new Candidate(n));
      }
    }
  }
}
