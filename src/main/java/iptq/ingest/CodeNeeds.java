package iptq.ingest;

import iptq.symbols.SymbolMap;
import iptq.table.ModulesTable;
import iptq.table.TableWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the segments of one ingest needed and did not get, gathered from every worker's {@link
 * SegmentNeeds}, for the summary ingest prints at its end: how the segments were decoded, then
 * one line per module whose code was missing and one per module whose names were missing, each
 * saying what would give it. Nothing a trace ran into is skipped in silence.
 */
final class CodeNeeds {
  /** A module as the summary names it: file name and load address (the same in every trace). */
  private record Key(String name, long base) {}

  private static final class Need {
    final Set<Long> noCode = new HashSet<>();
    final Set<Long> noNames = new HashSet<>();
    final Set<Long> exportsOnly = new HashSet<>();
  }

  private final Map<Key, Need> needs = new LinkedHashMap<>();
  /** The modules rows by name and base, for the identity a hint names (PDB, TimeDateStamp, size). */
  private final Map<Key, ModulesTable.Module> rows = new HashMap<>();
  private final Map<String, Long> statuses = new TreeMap<>();
  private final Set<Long> straySegments = new HashSet<>();
  private long strayIp;

  /** The modules of a trace, for the hints. */
  synchronized void modules(List<ModulesTable.Module> list) {
    for (ModulesTable.Module m : list) rows.putIfAbsent(new Key(m.name(), m.base()), m);
  }

  /** One segment, decoded with status {@code status}. */
  synchronized void segment(long segmentId, String status, SegmentNeeds n) {
    statuses.merge(status, 1L, Long::sum);
    if (n == null || n.isEmpty()) return;
    SymbolMap map = n.map;
    n.noCode.stream().forEach(i -> need(map.module(i)).noCode.add(segmentId));
    n.noNames.stream().forEach(i -> need(map.module(i)).noNames.add(segmentId));
    n.exportsOnly.stream().forEach(i -> need(map.module(i)).exportsOnly.add(segmentId));
    if (n.strays > 0) {
      if (straySegments.isEmpty()) strayIp = n.strayIp;
      straySegments.add(segmentId);
    }
  }

  private Need need(SymbolMap.Module m) {
    return needs.computeIfAbsent(new Key(m.name(), m.base()), k -> new Need());
  }

  /**
   * The summary, one line each (without the {@code iptq: } prefix).
   *
   * @param codeGiven whether any dump, --image-path or --image was given
   */
  synchronized List<String> lines(boolean codeGiven) {
    List<String> out = new ArrayList<>();
    long total = statuses.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%,d segment(s) decoded:", total));
    statuses.forEach((k, v) -> s.append(String.format(Locale.ROOT, " %,d %s", v, k)).append(','));
    if (!statuses.isEmpty()) s.setLength(s.length() - 1);
    out.add(s.toString());
    if (!codeGiven && statuses.containsKey("no-code-given")) {
      out.add("no code was given (no --dump, --image-path or --image), so segments have packets but no flow;"
          + " the modules below say what each needs");
    }
    List<Map.Entry<Key, Need>> code = needs.entrySet().stream().filter(e -> !e.getValue().noCode.isEmpty()).toList();
    if (!code.isEmpty()) {
      out.add(String.format(Locale.ROOT, "no code for %d module(s) the trace ran:", code.size()));
      for (var e : code) {
        out.add("  " + where(e.getKey(), e.getValue().noCode.size()) + ": give " + codeHint(e.getKey()));
      }
    }
    List<Map.Entry<Key, Need>> names = needs.entrySet().stream().filter(e -> !e.getValue().noNames.isEmpty()).toList();
    if (!names.isEmpty()) {
      out.add(String.format(Locale.ROOT, "no names for %d module(s) the trace ran:", names.size()));
      for (var e : names) {
        out.add("  " + where(e.getKey(), e.getValue().noNames.size()) + ": give " + namesHint(e.getKey()));
      }
    }
    List<Map.Entry<Key, Need>> exports = needs.entrySet().stream()
        .filter(e -> !e.getValue().exportsOnly.isEmpty() && e.getValue().noNames.isEmpty()).toList();
    if (!exports.isEmpty()) {
      out.add(String.format(Locale.ROOT, "only exported names (no PDB) for %d module(s) the trace ran:", exports.size()));
      for (var e : exports) {
        out.add("  " + where(e.getKey(), e.getValue().exportsOnly.size()) + ": give " + namesHint(e.getKey()));
      }
    }
    if (!straySegments.isEmpty()) {
      out.add(String.format(Locale.ROOT, "%,d segment(s) ran code at addresses no module of the trace covers"
          + " (first 0x%x): the trace lacks those modules' Image events (record with the Loader keyword)",
          straySegments.size(), strayIp));
    }
    return out;
  }

  private static String where(Key k, int segments) {
    return String.format(Locale.ROOT, "%s at 0x%x, %,d segment(s)", k.name(), k.base(), segments);
  }

  private String codeHint(Key k) {
    ModulesTable.Module m = rows.get(k);
    boolean kernel = m != null ? m.kernel() : k.base() < 0;
    String dump = kernel ? "a kernel dump that covers it (--dump; a live dump: livekd -ml, or Task Manager)"
        : "a dump of its process" + (m != null ? " " + m.pid() : "") + " (--dump; procdump -ma)";
    String file = k.name();
    if (m != null && m.timeDateStamp() != TableWriter.NULL) {
      file += String.format(Locale.ROOT, " (TimeDateStamp 0x%08X, SizeOfImage 0x%x)", m.timeDateStamp(), m.size());
    }
    return dump + ", its PE file " + file + " on --image-path, or a symbol server that has it"
        + " (--symbols srv*C:\\symbols*https://msdl.microsoft.com/download/symbols, or _NT_SYMBOL_PATH)";
  }

  private String namesHint(Key k) {
    ModulesTable.Module m = rows.get(k);
    String pdb = m != null && m.pdbName() != null
        ? m.pdbName() + " (GUID " + m.pdbGuid().toUpperCase(Locale.ROOT) + ", age " + m.pdbAge() + ")"
        : "its PDB (the trace has no RSDS record for it: the PE file on --image-path names it)";
    return pdb + " on --symbols or _NT_SYMBOL_PATH, or a symbol server that has it (srv*CACHE*URL)";
  }
}
