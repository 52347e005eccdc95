package iptq.store;

import java.io.IOException;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** Shell lines from a terminal through JLine: line editing, and history kept in ~/.iptq_history. */
public final class TerminalLines implements Shell.Lines, AutoCloseable {
  private final Terminal terminal;
  private final LineReader reader;

  public TerminalLines() throws IOException {
    terminal = TerminalBuilder.builder().system(true).build();
    reader = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("iptq")
        .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".iptq_history"))
        .variable(LineReader.HISTORY_SIZE, 5000)
        // statements span lines; the shell, not JLine, decides where one ends
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        .build();
  }

  @Override
  public String read(String prompt) {
    while (true) {
      try {
        return reader.readLine(prompt);
      } catch (UserInterruptException e) {
        // Ctrl-C drops the line being typed, as in other shells; Ctrl-D leaves
      } catch (EndOfFileException e) {
        return null;
      }
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
}
