package iptq.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of a Markdown page as a reader follows them: {@code [text](target)} outside
 * fenced blocks and code spans, other sites' links ({@code https:}, {@code mailto:}) left out.
 */
public final class MarkdownLinks {
  private MarkdownLinks() {}

  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

  /** A link's target and the 1-based line it is on. */
  public record Link(int line, String target) {
    /** The file part, without an anchor (empty for a link into the page itself). */
    public String file() {
      int hash = target.indexOf('#');
      return hash < 0 ? target : target.substring(0, hash);
    }

    /** The anchor, or null. */
    public String anchor() {
      int hash = target.indexOf('#');
      return hash < 0 ? null : target.substring(hash + 1);
    }
  }

  public static List<Link> relative(List<String> lines) {
    List<String> prose = prose(lines);
    List<Link> out = new ArrayList<>();
    for (int i = 0; i < prose.size(); i++) {
      Matcher m = LINK.matcher(CODE_SPAN.matcher(prose.get(i)).replaceAll(""));
      while (m.find()) {
        String target = m.group(1);
        if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) out.add(new Link(i + 1, target));
      }
    }
    return out;
  }

  /** The lines outside fenced code blocks (a "# comment" in a shell block is not a heading). */
  static List<String> prose(List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String l : lines) {
      if (l.startsWith("```")) {
        fenced = !fenced;
        out.add("");
      } else {
        out.add(fenced ? "" : l);
      }
    }
    return out;
  }
}
