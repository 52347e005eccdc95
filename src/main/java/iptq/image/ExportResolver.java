package iptq.image;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Resolves imports against the export tables of loaded modules (PE files at their trace load
 * addresses), following forwarders ({@code NTOSKRNL.KeFoo}, {@code dll.#12}) up to a fixed depth.
 * Module names match case-insensitively, with or without extension.
 */
public final class ExportResolver implements ImportResolver {
  private record Loaded(PeFile pe, long base, Map<String, PeFile.Export> index) {}

  private final Map<String, Loaded> byName = new HashMap<>();

  /** Adds a module loaded at {@code base} under {@code name} (e.g. {@code ntoskrnl.exe}). */
  public ExportResolver add(String name, PeFile pe, long base) {
    Loaded l = new Loaded(pe, base, pe.exportIndex());
    byName.put(key(name), l);
    byName.putIfAbsent(stem(key(name)), l);
    return this;
  }

  private static String key(String name) {
    int i = Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/'));
    return name.substring(i + 1).toLowerCase(Locale.ROOT);
  }

  private static String stem(String n) {
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  @Override
  public OptionalLong resolve(String dll, String function) {
    for (int depth = 0; depth < 8; depth++) {
      Loaded l = byName.get(key(dll));
      if (l == null) l = byName.get(stem(key(dll)));
      if (l == null) return OptionalLong.empty();
      PeFile.Export e = l.index().get(function.startsWith("#") ? function : function.toUpperCase(Locale.ROOT));
      if (e == null) return OptionalLong.empty();
      if (e.forwarder() == null) return OptionalLong.of(l.base() + e.rva());
      int dot = e.forwarder().lastIndexOf('.');
      if (dot <= 0) return OptionalLong.empty();
      dll = e.forwarder().substring(0, dot);
      function = e.forwarder().substring(dot + 1);
    }
    return OptionalLong.empty();
  }
}
