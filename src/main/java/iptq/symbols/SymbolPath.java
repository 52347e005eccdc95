package iptq.symbols;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The local folders to look for PDBs in, in order. Parsed from {@code _NT_SYMBOL_PATH} syntax:
 * {@code ;}-separated entries, each a plain folder, {@code srv*DIR*https://…} (the local store DIR
 * only; iptq downloads nothing), {@code cache*DIR}, or {@code symsrv*symsrv.dll*DIR*…}. Each
 * folder is searched both as a symbol store ({@code DIR/name.pdb/KEY/name.pdb}) and as a plain
 * folder ({@code DIR/name.pdb}).
 */
public record SymbolPath(List<Path> dirs) {
  public SymbolPath {
    dirs = List.copyOf(dirs);
  }

  public static SymbolPath of(Path... dirs) {
    return new SymbolPath(List.of(dirs));
  }

  /** The folders named by a {@code _NT_SYMBOL_PATH} value (null or blank gives none). */
  public static SymbolPath parse(String ntSymbolPath) {
    List<Path> out = new ArrayList<>();
    if (ntSymbolPath == null) return new SymbolPath(out);
    for (String entry : ntSymbolPath.split(";")) {
      entry = entry.trim();
      if (entry.isEmpty()) continue;
      String[] parts = entry.split("\\*", -1);
      String head = parts[0].toLowerCase(Locale.ROOT);
      int first;
      if (parts.length == 1) {
        first = 0; // a plain folder
      } else if (head.equals("srv") || head.equals("cache")) {
        first = 1;
      } else if (head.equals("symsrv")) {
        first = 2; // symsrv*DLL*stores...
      } else {
        continue; // an entry kind we do not know
      }
      for (int i = first; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.isEmpty() || p.contains("://")) continue; // a server: iptq downloads nothing
        try {
          out.add(Path.of(p));
        } catch (InvalidPathException e) {
          // A path this system cannot name (e.g. a Windows drive letter with odd characters): not searchable here.
        }
      }
    }
    return new SymbolPath(out);
  }

  /** {@code extra} folders first, then those of {@code _NT_SYMBOL_PATH} from the environment. */
  public static SymbolPath fromEnvironment(List<Path> extra) {
    List<Path> all = new ArrayList<>(extra);
    all.addAll(parse(System.getenv("_NT_SYMBOL_PATH")).dirs());
    return new SymbolPath(Collections.unmodifiableList(all));
  }
}
