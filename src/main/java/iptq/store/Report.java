package iptq.store;

import iptq.InputException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A canned report: one {@code queries/NAME.sql} file, a single SELECT whose header comment
 * gives its title, description and parameters:
 *
 * <pre>
 * -- title: Functions before an event
 * -- description: For each segment ...
 * --   (continued on indented comment lines)
 * -- param: trigger = SystemCallExit -- the triggering event
 * -- param: tid -- a parameter without default is required
 * </pre>
 *
 * The SQL reads a parameter as {@code getvariable('trigger')}; {@link #bind} sets each one with
 * {@code SET VARIABLE name = ?} as a prepared-statement parameter, so user text never becomes
 * SQL text. Values are VARCHAR; the SQL casts them where it needs a number.
 */
public record Report(String name, String title, String description, List<Param> params, String sql) {
  /** A parameter: its name, its default (null when required), and what it means. */
  public record Param(String name, String defaultValue, String description) {
    public boolean required() {
      return defaultValue == null;
    }
  }

  private static final Pattern PARAM =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=\\s*(.*?))?\\s*(?:--\\s*(.*))?");

  /** The names in {@code queries/reports.txt}, in the order {@code --list} shows them. */
  public static List<String> names() {
    return SqlResource.list("queries/reports.txt");
  }

  public static List<Report> all() {
    List<Report> out = new ArrayList<>();
    for (String n : names()) out.add(load(n));
    return out;
  }

  /** The report called {@code name}; an unknown name is an input error listing the known ones. */
  public static Report load(String name) {
    if (!names().contains(name)) {
      throw new InputException(null, -1, "no report called '" + name + "'; the reports are: "
          + String.join(", ", names()));
    }
    return parse(name, SqlResource.read("queries/" + name + ".sql"));
  }

  static Report parse(String name, String text) {
    String title = null;
    StringBuilder description = new StringBuilder();
    List<Param> params = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int i = 0;
    boolean inDescription = false;
    for (; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith("--")) break;
      String body = line.substring(2).strip();
      if (body.startsWith("title:")) {
        title = body.substring(6).strip();
        inDescription = false;
      } else if (body.startsWith("description:")) {
        description.append(body.substring(12).strip());
        inDescription = true;
      } else if (body.startsWith("param:")) {
        Matcher m = PARAM.matcher(body.substring(6).strip());
        if (!m.matches()) throw new IllegalStateException("queries/" + name + ".sql: bad param line: " + line);
        params.add(new Param(m.group(1), m.group(2), m.group(3) == null ? "" : m.group(3).strip()));
        inDescription = false;
      } else if (inDescription && !body.isEmpty()) {
        description.append(' ').append(body);
      } else {
        inDescription = false;
      }
    }
    if (title == null) throw new IllegalStateException("queries/" + name + ".sql has no '-- title:' line");
    StringBuilder sql = new StringBuilder();
    for (; i < lines.length; i++) sql.append(lines[i]).append('\n');
    String body = sql.toString().strip();
    if (body.endsWith(";")) body = body.substring(0, body.length() - 1).strip();
    return new Report(name, title, description.toString(), List.copyOf(params), body);
  }

  /**
   * The value of every parameter: the defaults, overridden by {@code given}. An unknown or
   * missing required parameter is an input error that names the parameters.
   */
  public Map<String, String> values(Map<String, String> given) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Param p : params) out.put(p.name(), p.defaultValue());
    for (Map.Entry<String, String> e : given.entrySet()) {
      if (!out.containsKey(e.getKey())) {
        throw new InputException(null, -1, "report " + name + " has no parameter '" + e.getKey()
            + "'" + paramList());
      }
      out.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : out.entrySet()) {
      if (e.getValue() == null) {
        throw new InputException(null, -1, "report " + name + " needs --param " + e.getKey() + "=..."
            + paramList());
      }
    }
    return out;
  }

  private String paramList() {
    if (params.isEmpty()) return " (it takes none)";
    StringBuilder sb = new StringBuilder("; its parameters:");
    for (Param p : params) sb.append(' ').append(p.name()).append(p.required() ? " (required)" : "=" + p.defaultValue());
    return sb.toString();
  }

  /** Sets the report's parameters as DuckDB variables on {@code conn}, for {@link #sql()}. */
  public void bind(Connection conn, Map<String, String> given) throws SQLException {
    for (Map.Entry<String, String> e : values(given).entrySet()) {
      // the name is one of the header's identifiers (checked by PARAM), the value a bound parameter
      try (PreparedStatement ps = conn.prepareStatement("SET VARIABLE " + Export.identifier(e.getKey()) + " = ?")) {
        ps.setString(1, e.getValue());
        ps.execute();
      }
    }
  }

  /** One line per parameter, for {@code --list}. */
  public String usage() {
    StringBuilder sb = new StringBuilder();
    for (Param p : params) {
      sb.append("    --param ").append(p.name()).append('=')
          .append(p.required() ? "(required)" : p.defaultValue());
      if (!p.description().isEmpty()) sb.append("  ").append(p.description());
      sb.append('\n');
    }
    return sb.toString();
  }
}
