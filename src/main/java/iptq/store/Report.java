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
 * -- param: trigger : trigger = SystemCallExit -- the triggering event
 * -- param: tid : integer -- a parameter without default is required
 * -- param: by : instructions|visits = instructions -- one of the listed words
 * </pre>
 *
 * The SQL reads a parameter as {@code getvariable('trigger')}; {@link #bind} sets each one with
 * {@code SET VARIABLE name = ?} as a prepared-statement parameter, so user text never becomes
 * SQL text. Values are VARCHAR; the SQL casts them where it needs a number. The type after the
 * name is checked first, so a wrong value is one line of iptq's ({@link Param#check}), never
 * DuckDB's cast error with the query around it: {@code integer}, {@code boolean}, {@code text},
 * {@code a|b|c} (one of these words), {@code segment} (a segment_id the database has; 0 too
 * where the default is 0, "every segment") and {@code trigger} (text; a trigger no segment has
 * is a warning naming those there are; {@code *} where it is the default).
 */
public record Report(String name, String title, String description, List<Param> params, String sql) {
  /** A parameter: its name, its type, its default (null when required), and what it means. */
  public record Param(String name, String type, String defaultValue, String description) {
    public Param {
      if (!TYPE.matcher(type).matches()) throw new IllegalArgumentException("unknown parameter type " + type);
    }

    /** A text parameter (the type when the header names none). */
    public Param(String name, String defaultValue, String description) {
      this(name, "text", defaultValue, description);
    }

    public boolean required() {
      return defaultValue == null;
    }

    /**
     * The value as the SQL wants it, or an input error in one line when {@code value} is not of
     * the parameter's type. Checks that need the database (segment ids) are {@link #bind}'s.
     */
    String check(String report, String value) {
      String v = value.strip();
      switch (type) {
        case "text", "trigger" -> {
          return value;
        }
        case "integer", "segment" -> {
          try {
            Long.parseLong(v);
            return v;
          } catch (NumberFormatException e) {
            throw bad(report, value, "a whole number");
          }
        }
        case "boolean" -> {
          String b = v.toLowerCase(java.util.Locale.ROOT);
          if (b.equals("true") || b.equals("false")) return b;
          throw bad(report, value, "true or false");
        }
        default -> {
          for (String word : type.split("\\|")) if (word.equalsIgnoreCase(v)) return word;
          throw bad(report, value, "one of " + type.replace("|", ", ") + DidYouMean.suffix(v, List.of(type.split("\\|"))));
        }
      }
    }

    private InputException bad(String report, String value, String expected) {
      return new InputException(null, -1, "report " + report + ": --param " + name + "=" + value
          + ": expected " + expected);
    }
  }

  private static final Pattern TYPE = Pattern.compile("integer|boolean|text|segment|trigger|[a-z_]+(\\|[a-z_]+)+");
  private static final Pattern PARAM = Pattern.compile(
      "([A-Za-z_][A-Za-z0-9_]*)\\s*(?::\\s*([a-z_|]+))?\\s*(?:=\\s*(.*?))?\\s*(?:--\\s*(.*))?");

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
      throw new InputException(null, -1, "no report called '" + name + "'" + DidYouMean.suffix(name, names())
          + "; the reports are: " + String.join(", ", names()));
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
        params.add(new Param(m.group(1), m.group(2) == null ? "text" : m.group(2), m.group(3),
            m.group(4) == null ? "" : m.group(4).strip()));
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
      Param p = param(e.getKey());
      if (p == null) {
        throw new InputException(null, -1, "report " + name + " has no parameter '" + e.getKey()
            + "'" + DidYouMean.suffix(e.getKey(), params.stream().map(Param::name).toList()) + paramList());
      }
      out.put(e.getKey(), defaultAllowed(p, e.getValue()) ? e.getValue() : p.check(name, e.getValue()));
    }
    for (Map.Entry<String, String> e : out.entrySet()) {
      if (e.getValue() == null) {
        throw new InputException(null, -1, "report " + name + " needs --param " + e.getKey() + "=..."
            + paramList());
      }
    }
    return out;
  }

  private Param param(String n) {
    for (Param p : params) if (p.name().equals(n)) return p;
    return null;
  }

  /** A parameter's own default is always good ("*" for every trigger, 0 for every segment). */
  private static boolean defaultAllowed(Param p, String value) {
    return p.defaultValue() != null && p.defaultValue().equals(value.strip());
  }

  private String paramList() {
    if (params.isEmpty()) return " (it takes none)";
    StringBuilder sb = new StringBuilder("; its parameters:");
    for (Param p : params) sb.append(' ').append(p.name()).append(p.required() ? " (required)" : "=" + p.defaultValue());
    return sb.toString();
  }

  /**
   * Sets the report's parameters as DuckDB variables on {@code conn}, for {@link #sql()}, after
   * checking them against the database: a segment it does not have is an input error; a trigger
   * no segment has is returned as a warning (the report then has no rows), naming the triggers
   * there are.
   */
  public List<String> bind(Connection conn, Map<String, String> given) throws SQLException {
    Map<String, String> values = values(given);
    List<String> warnings = new ArrayList<>();
    for (Param p : params) {
      String v = values.get(p.name());
      if (defaultAllowed(p, v)) continue;
      if (p.type().equals("segment")) {
        try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("sql/segment-range.sql"))) {
          ps.setLong(1, Long.parseLong(v.strip()));
          try (java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
              throw new InputException(null, -1, "report " + name + ": --param " + p.name() + "=" + v
                  + ": no such segment" + (rs.getLong(3) == 0 ? " (the database has none)"
                  : " (segment_id " + rs.getLong(2) + " to " + rs.getLong(3) + ")"));
            }
          }
        }
      } else if (p.type().equals("trigger")) {
        List<String> triggers = new ArrayList<>();
        try (java.sql.Statement st = conn.createStatement();
            java.sql.ResultSet rs = st.executeQuery(SqlResource.read("sql/triggers.sql"))) {
          while (rs.next()) triggers.add(rs.getString(1));
        }
        if (!v.equals("*") && !triggers.contains(v)) { // * is "every trigger" where a report takes it
          warnings.add("report " + name + ": no segment has trigger '" + v + "'"
              + DidYouMean.suffix(v, triggers) + "; the triggers there are: "
              + (triggers.isEmpty() ? "none" : String.join(", ", triggers)));
        }
      }
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      // the name is one of the header's identifiers (checked by PARAM), the value a bound parameter
      try (PreparedStatement ps = conn.prepareStatement("SET VARIABLE " + Export.identifier(e.getKey()) + " = ?")) {
        ps.setString(1, e.getValue());
        ps.execute();
      }
    }
    return warnings;
  }

  /** One line per parameter, for {@code --list}. */
  public String usage() {
    StringBuilder sb = new StringBuilder();
    for (Param p : params) {
      sb.append("    --param ").append(p.name()).append('=')
          .append(p.required() ? "(required)" : p.defaultValue());
      if (!p.description().isEmpty()) sb.append("  ").append(p.description());
      if (!p.type().equals("text")) sb.append(" [").append(p.type().replace("|", " or ")).append(']');
      sb.append('\n');
    }
    return sb.toString();
  }
}
