package iptq.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The value lists of the WPRControlProfiles schema that a profile is checked against: the
 * SystemStackEnumeration (the events an IPT buffer can be attached to) and the
 * SystemKeywordEnumeration. They live in resource files so they can be compared line by line with
 * the published schema.
 */
public final class SchemaNames {
  private static final SchemaNames INSTANCE = load();

  private final Map<String, String> keywordOfEvent;
  private final Set<String> systemKeywords;

  private SchemaNames(Map<String, String> keywordOfEvent, Set<String> systemKeywords) {
    this.keywordOfEvent = Collections.unmodifiableMap(keywordOfEvent);
    this.systemKeywords = Collections.unmodifiableSet(systemKeywords);
  }

  public static SchemaNames get() {
    return INSTANCE;
  }

  /** Every name of the SystemStackEnumeration, in the schema's order. */
  public Set<String> stackEvents() {
    return keywordOfEvent.keySet();
  }

  public boolean isStackEvent(String name) {
    return keywordOfEvent.containsKey(name);
  }

  /** The system keyword that makes the kernel log {@code event}, where iptq knows it. */
  public Optional<String> keywordFor(String event) {
    String k = keywordOfEvent.get(event);
    return k == null || k.equals("-") ? Optional.empty() : Optional.of(k);
  }

  public Set<String> systemKeywords() {
    return systemKeywords;
  }

  /**
   * The known names closest to a misspelt one: a case-insensitive match first, else those at the
   * smallest edit distance (at most a third of the name's length, so nonsense gets no advice).
   */
  public static List<String> closest(String wrong, Set<String> known) {
    for (String k : known) if (k.equalsIgnoreCase(wrong)) return List.of(k);
    String w = wrong.toLowerCase();
    int limit = Math.max(2, w.length() / 3);
    int best = Integer.MAX_VALUE;
    List<String> out = new ArrayList<>();
    for (String k : known) {
      int d = iptq.EditDistance.of(w, k.toLowerCase());
      if (d > limit) continue;
      if (d < best) {
        best = d;
        out.clear();
      }
      if (d == best) out.add(k);
    }
    return out.size() > 3 ? out.subList(0, 3) : out;
  }

  private static SchemaNames load() {
    Map<String, String> events = new LinkedHashMap<>();
    for (String line : lines("system-stack-events.txt")) {
      String[] f = line.split("\\s+");
      if (f.length != 2) throw new IllegalStateException("bad line in system-stack-events.txt: " + line);
      events.put(f[0], f[1]);
    }
    Set<String> keywords = new LinkedHashSet<>(lines("system-keywords.txt"));
    for (String k : events.values())
      if (!k.equals("-") && !keywords.contains(k))
        throw new IllegalStateException("system-stack-events.txt names unknown keyword " + k);
    return new SchemaNames(events, keywords);
  }

  private static List<String> lines(String resource) {
    try (InputStream in = SchemaNames.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing resource iptq/capture/" + resource);
      List<String> out = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) out.add(line);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
