package iptq.symsrv;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A symbol path as symsrv reads it: {@code ;}-separated entries, each
 * <ul>
 *   <li>a plain folder (searched for {@code name.pdb} and as a store),
 *   <li>{@code srv*STORE*STORE*…}: a chain of stores, local folders and {@code http(s)://} servers,
 *       tried left to right; a file found in one is copied into each local store before it (the
 *       downstream stores). {@code srv*URL} alone caches in the default cache,
 *   <li>{@code symsrv*symsrv.dll*STORE*…}: the same, the DLL named being ignored,
 *   <li>{@code cache*DIR} ({@code cache*} alone: the default cache): a local store searched there
 *       and put in front of every chain after it, so files they fetch are kept in DIR too.
 * </ul>
 * Unknown entry kinds are kept in {@link #ignored()} so the user can be told.
 */
public record StorePath(List<Path> folders, List<List<Store>> chains, List<String> ignored) {
  public StorePath {
    folders = List.copyOf(folders);
    chains = chains.stream().map(List::copyOf).toList();
    ignored = List.copyOf(ignored);
  }

  /** One store of a chain: a local folder or a server. */
  public sealed interface Store permits Local, Server {}

  public record Local(Path dir) implements Store {}

  /** {@code uri} without a trailing slash. */
  public record Server(URI uri) implements Store {
    @Override
    public String toString() {
      return uri.toString();
    }
  }

  public static final StorePath EMPTY = new StorePath(List.of(), List.of(), List.of());

  /** Parses {@code entries} in order (each may itself hold several {@code ;}-separated entries). */
  public static StorePath parse(List<String> entries, Path defaultCache) {
    List<Path> folders = new ArrayList<>();
    List<List<Store>> chains = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    Path cache = null; // the latest cache*DIR: in front of every chain after it
    for (String value : entries) {
      if (value == null) continue;
      for (String entry : value.split(";")) {
        entry = entry.trim();
        if (entry.isEmpty()) continue;
        String[] parts = entry.split("\\*", -1);
        String head = parts[0].trim().toLowerCase(Locale.ROOT);
        if (parts.length == 1) {
          Path p = path(entry);
          if (p != null) folders.add(p);
          else ignored.add(entry);
          continue;
        }
        int first;
        if (head.equals("srv")) first = 1;
        else if (head.equals("symsrv")) first = 2;
        else if (head.equals("cache")) {
          String dir = parts.length > 1 ? parts[1].trim() : "";
          cache = dir.isEmpty() ? defaultCache : path(dir);
          if (cache != null) chains.add(List.of(new Local(cache)));
          else ignored.add(entry);
          continue;
        } else {
          ignored.add(entry);
          continue;
        }
        List<Store> chain = new ArrayList<>();
        if (cache != null) chain.add(new Local(cache));
        boolean bad = false;
        for (int i = first; i < parts.length; i++) {
          String p = parts[i].trim();
          if (p.isEmpty()) {
            // srv**URL: the default downstream store
            if (i < parts.length - 1) chain.add(new Local(defaultCache));
            continue;
          }
          Store s = store(p);
          if (s == null) bad = true;
          else chain.add(s);
        }
        if (bad || chain.isEmpty()) {
          ignored.add(entry);
          continue;
        }
        if (!(chain.get(0) instanceof Local)) chain.add(0, new Local(defaultCache));
        chains.add(dedupe(chain));
      }
    }
    return new StorePath(folders, chains, ignored);
  }

  private static List<Store> dedupe(List<Store> chain) {
    return new ArrayList<>(new LinkedHashSet<>(chain));
  }

  private static Store store(String p) {
    String lower = p.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      try {
        String u = p;
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        return new Server(new URI(u));
      } catch (URISyntaxException e) {
        return null;
      }
    }
    if (lower.contains("://")) return null; // another scheme: not one iptq speaks
    Path d = path(p);
    return d == null ? null : new Local(d);
  }

  private static Path path(String p) {
    try {
      return Path.of(p);
    } catch (InvalidPathException e) {
      return null; // a path this system cannot name
    }
  }

  /** Every local folder to search for a PDB, in order: plain folders and each chain's stores. */
  public List<Path> searchDirs() {
    Set<Path> out = new LinkedHashSet<>();
    // In symbol path order, as symsrv searches: an entry's own folders before later entries'.
    out.addAll(folders);
    for (List<Store> c : chains) for (Store s : c) if (s instanceof Local l) out.add(l.dir());
    return new ArrayList<>(out);
  }

  /** Whether any chain has a server: only then can something be downloaded. */
  public boolean hasServer() {
    for (List<Store> c : chains) for (Store s : c) if (s instanceof Server) return true;
    return false;
  }

  /** The default downstream store: {@code $XDG_CACHE_HOME/iptq/symbols}, else {@code ~/.cache/iptq/symbols}. */
  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("iptq").resolve("symbols");
  }
}
