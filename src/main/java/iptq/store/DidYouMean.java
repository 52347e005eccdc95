package iptq.store;

import java.util.Collection;
import java.util.Locale;

/** "did you mean" for a mistyped name: the known name nearest by edit distance, if near enough. */
public final class DidYouMean {
  private DidYouMean() {}

  /** {@code " (did you mean 'x'?)"}, or "" when no known name is close. */
  public static String suffix(String typed, Collection<String> known) {
    String best = closest(typed, known);
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /**
   * The known name at the smallest edit distance from {@code typed}, case ignored, when that is
   * at most a third of its length (at least 1, at most 3), or a known name that starts with it.
   */
  public static String closest(String typed, Collection<String> known) {
    String t = typed.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      String c = k.toLowerCase(Locale.ROOT);
      if (c.equals(t)) continue;
      int d = distance(t, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (best == null) return null;
    int limit = Math.min(3, Math.max(1, t.length() / 3));
    if (bestDistance <= limit) return best;
    if (!t.isEmpty()) for (String k : known) if (k.toLowerCase(Locale.ROOT).startsWith(t)) return k;
    return null;
  }

  /** Levenshtein distance with adjacent swaps counted as one edit (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
