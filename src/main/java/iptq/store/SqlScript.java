package iptq.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at semicolons that are outside string literals, quoted
 * identifiers, dollar-quoted strings and comments, as DuckDB's parser would see them.
 */
public final class SqlScript {
  private SqlScript() {}

  /** The complete statements in {@code text} (without their ';'), and whatever is left over. */
  public record Split(List<String> statements, String rest) {}

  public static Split split(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        i = skipQuoted(text, i, c);
      } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        int nl = text.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '$' && i + 1 < n && text.charAt(i + 1) == '$') {
        int end = text.indexOf("$$", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == ';') {
        String s = text.substring(start, i).strip();
        if (!isBlank(s)) out.add(s);
        start = ++i;
      } else {
        i++;
      }
    }
    return new Split(out, text.substring(start));
  }

  /** Every statement of a script, the last one with or without its ';'. */
  public static List<String> statements(String text) {
    Split s = split(text);
    List<String> out = new ArrayList<>(s.statements());
    if (!isBlank(s.rest())) out.add(s.rest().strip());
    return out;
  }

  private static int skipQuoted(String text, int i, char q) {
    int n = text.length();
    i++;
    while (i < n) {
      if (text.charAt(i) == q) {
        if (i + 1 < n && text.charAt(i + 1) == q) i += 2; // doubled quote inside
        else return i + 1;
      } else {
        i++;
      }
    }
    return n;
  }

  /** True when the text holds nothing but whitespace and comments. */
  public static boolean isBlank(String s) {
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        return false;
      }
    }
    return true;
  }
}
