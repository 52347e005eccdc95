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
      int d = iptq.EditDistance.of(t, c);
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
}
