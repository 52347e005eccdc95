package iptq.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.IntSupplier;

/**
 * The interactive SQL shell of {@code iptq sql DB}: statements end with ';' and may span lines;
 * dot commands ({@code .tables}, {@code .schema NAME}, {@code .mode table|csv|tsv|json},
 * {@code .read FILE}, {@code .help}, {@code .quit}) are one line each. A failing statement
 * prints DuckDB's message and the shell goes on.
 *
 * <p>At a terminal it behaves as sqlite3's and duckdb's shells do: Ctrl-C drops the line being
 * typed and any unfinished statement before it; Ctrl-D on a continuation line leaves without
 * running the unfinished statement; a failed statement does not make the session fail. Fed
 * from a pipe or file, a last statement without ';' still runs, and any failure makes
 * {@link #run} false (exit code 1), so scripts notice.
 */
public final class Shell {
  /** Where lines come from: JLine on a terminal, a plain reader in a pipe. */
  public interface Lines {
    /** The next line, or null at the end of input; {@link Cancelled} for Ctrl-C. */
    String read(String prompt) throws IOException;
  }

  /** Ctrl-C at the prompt: the line being typed, and the unfinished statement, are dropped. */
  public static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** The dot commands, for .help and for completion. */
  public static final java.util.List<String> COMMANDS =
      java.util.List.of(".tables", ".schema", ".mode", ".read", ".help", ".quit", ".exit");

  /** Lines from a reader, without prompts (for pipes and files). */
  public static Lines plain(BufferedReader in) {
    return prompt -> in.readLine();
  }

  private final Connection conn;
  private final Lines in;
  private final PrintWriter out;
  private final PrintWriter err;
  private final IntSupplier width;
  private final boolean interactive;
  private ResultFormat mode;
  private boolean failed;

  /** A shell reading a pipe or file (see {@link #Shell(Connection, Lines, PrintWriter, PrintWriter, ResultFormat, IntSupplier, boolean)}). */
  public Shell(Connection conn, Lines in, PrintWriter out, PrintWriter err, ResultFormat mode, IntSupplier width) {
    this(conn, in, out, err, mode, width, false);
  }

  /** @param interactive a person at a terminal: Ctrl-D drops an unfinished statement, errors do not fail the session */
  public Shell(Connection conn, Lines in, PrintWriter out, PrintWriter err, ResultFormat mode, IntSupplier width,
      boolean interactive) {
    this.conn = conn;
    this.in = in;
    this.out = out;
    this.err = err;
    this.mode = mode;
    this.width = width;
    this.interactive = interactive;
  }

  /**
   * Runs until .quit or the end of input; true when the session succeeded: always at a
   * terminal, and from a pipe when every statement did.
   */
  public boolean run() throws IOException {
    StringBuilder pending = new StringBuilder();
    while (true) {
      String line;
      try {
        line = in.read(pending.length() == 0 ? "iptq> " : "  ...> ");
      } catch (Cancelled c) {
        pending.setLength(0);
        continue;
      }
      if (line == null) break;
      if (pending.length() == 0 && line.strip().startsWith(".")) {
        if (!dot(line.strip())) break;
        continue;
      }
      pending.append(line).append('\n');
      SqlScript.Split split = SqlScript.split(pending.toString());
      for (String sql : split.statements()) execute(sql);
      pending.setLength(0);
      if (!SqlScript.isBlank(split.rest())) pending.append(split.rest());
    }
    if (!SqlScript.isBlank(pending.toString())) {
      // at a terminal, Ctrl-D on a continuation line leaves without running what is unfinished
      if (interactive) out.println();
      else execute(pending.toString().strip());
    }
    out.flush();
    err.flush();
    return interactive || !failed;
  }

  /** Runs one statement and prints its result, or DuckDB's message when it fails. */
  public boolean execute(String sql) {
    try (Statement st = conn.createStatement()) {
      if (st.execute(sql)) {
        try (ResultSet rs = st.getResultSet()) {
          printer().print(rs, out);
        }
      }
      out.flush();
      return true;
    } catch (SQLException e) {
      failed = true;
      out.flush();
      err.println("Error: " + e.getMessage());
      err.flush();
      return false;
    }
  }

  private ResultPrinter printer() {
    return new ResultPrinter(mode, width.getAsInt(), 1000, "use .mode csv or LIMIT for the rest");
  }

  /** Handles a dot command; false for .quit. */
  private boolean dot(String line) throws IOException {
    String[] words = line.split("\\s+", 2);
    String arg = words.length > 1 ? words[1].strip() : "";
    switch (words[0]) {
      case ".quit", ".exit", ".q" -> {
        return false;
      }
      case ".tables" -> query(SqlResource.read("sql/tables.sql"), null, ResultFormat.TABLE);
      case ".schema" -> schema(arg);
      case ".mode" -> {
        if (arg.isEmpty()) {
          out.println(mode.name().toLowerCase(java.util.Locale.ROOT));
        } else {
          try {
            mode = ResultFormat.parse(arg);
          } catch (iptq.InputException e) {
            problem(e.getMessage());
          }
        }
      }
      case ".read" -> read(arg);
      case ".help" -> out.println(HELP);
      default -> problem("unknown command " + words[0] + " (try .help)");
    }
    out.flush();
    return true;
  }

  private static final String HELP = String.join("\n",
      "SQL statements end with ';' and may span lines. Commands:",
      "  .tables                     tables and views, with row counts",
      "  .schema NAME                the DDL and the documented columns of a table or view",
      "  .mode table|csv|tsv|json    how results print",
      "  .read FILE                  run the statements in FILE",
      "  .quit, .exit                leave (also Ctrl-D on an empty line)",
      "Keys: Tab completes commands, table and column names; Ctrl-C drops the statement being",
      "typed; up and down walk the history (~/.iptq_history).");

  /**
   * The names Tab completes in SQL: the tables and views, and their columns (read afresh each
   * time, so a table made with --write completes at once).
   */
  public static java.util.List<String> names(Connection conn) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(SqlResource.read("sql/completion-names.sql"))) {
      while (rs.next()) names.add(rs.getString(1));
    } catch (SQLException e) {
      // no completion rather than a broken prompt
    }
    return java.util.List.copyOf(names);
  }

  /** The tables and views, for completing .schema NAME. */
  public static java.util.List<String> relations(Connection conn) {
    try {
      return Export.relations(conn);
    } catch (SQLException e) {
      return java.util.List.of();
    }
  }

  private void schema(String name) {
    if (name.isEmpty()) {
      query(SqlResource.read("sql/tables.sql"), null, ResultFormat.TABLE);
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("sql/schema-of.sql"))) {
      ps.setString(1, name);
      boolean any = false;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          any = true;
          out.println(rs.getString(1));
        }
      }
      if (!any) {
        problem("no table or view called " + name + " (try .tables)");
        return;
      }
    } catch (SQLException e) {
      problem(e.getMessage());
      return;
    }
    query(SqlResource.read("sql/columns-of.sql"), name, ResultFormat.TABLE);
  }

  private void query(String sql, String param, ResultFormat format) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      if (param != null) ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        new ResultPrinter(format, width.getAsInt(), Long.MAX_VALUE).print(rs, out);
      }
    } catch (SQLException e) {
      problem(e.getMessage());
    }
  }

  private void read(String file) {
    if (file.isEmpty()) {
      problem(".read needs a file name");
      return;
    }
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      problem(file + ": no such file");
      return;
    } catch (IOException e) {
      problem(file + ": " + e.getMessage());
      return;
    }
    for (String sql : SqlScript.statements(text)) {
      if (!execute(sql)) break;
    }
  }

  private void problem(String message) {
    failed = true;
    out.flush();
    err.println("Error: " + message);
    err.flush();
  }
}
