package iptq.store;

import java.util.Locale;

/** How query results are printed: an aligned table for people, or text for other programs. */
public enum ResultFormat {
  TABLE, CSV, TSV, JSON;

  public static ResultFormat parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new iptq.InputException(null, -1, "unknown format '" + s + "' (table, csv, tsv, json)");
    }
  }

  /** A table on a terminal, CSV in a pipe or file. */
  public static ResultFormat forOutput(boolean terminal) {
    return terminal ? TABLE : CSV;
  }
}
