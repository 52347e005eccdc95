package iptq.symbols;

import iptq.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the PDB an image names (by its RSDS GUID and age) in the folders of a {@link SymbolPath}:
 * for each folder first the symbol store place {@code DIR/name.pdb/KEY/name.pdb}, then
 * {@code DIR/name.pdb}. A file with the right name but another GUID (or a lower age) is rejected
 * and the reason kept, naming both identities.
 */
public final class PdbLocator {
  private PdbLocator() {}

  /** The PDB found (or null), and why each candidate that was looked at was rejected. */
  public record Result(Path pdb, List<String> rejected) {
    public boolean found() {
      return pdb != null;
    }
  }

  /** The places {@code id} may be under {@code dir}, in the order they are tried. */
  public static List<Path> candidates(Path dir, PdbId id) {
    Set<Path> out = new LinkedHashSet<>();
    if (id.name().isEmpty()) return List.of(); // no plain file name to look for
    Set<String> names = new LinkedHashSet<>();
    String name = plainName(id.name());
    if (name == null) return new ArrayList<>(); // a name that would leave the folder: nowhere to look
    names.add(name);
    names.add(name.toLowerCase(Locale.ROOT)); // stores made on Windows are case-insensitive; Linux is not
    for (String n : names) out.add(dir.resolve(n).resolve(id.key()).resolve(n));
    for (String n : names) out.add(dir.resolve(n));
    return new ArrayList<>(out);
  }

  /**
   * The PDB name an image gives, reduced to its last part; null when that could still leave a
   * folder ({@code ..}, a drive colon, control characters): names from inside files never make a
   * path outside the folders searched.
   */
  static String plainName(String name) {
    if (name == null) return null;
    String n = name.substring(Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/')) + 1).trim();
    if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf(':') >= 0) return null;
    for (int i = 0; i < n.length(); i++) if (n.charAt(i) < 0x20) return null;
    return n;
  }

  public static Result find(PdbId id, SymbolPath path) {
    List<String> rejected = new ArrayList<>();
    for (Path dir : path.dirs()) {
      for (Path c : candidates(dir, id)) {
        if (!Files.isRegularFile(c)) continue;
        try {
          String why = PdbFile.mismatch(PdbFile.identity(c), id);
          if (why == null) return new Result(c, rejected);
          rejected.add(c + ": " + why);
        } catch (InputException e) {
          rejected.add(e.getMessage());
        }
      }
    }
    return new Result(null, rejected);
  }
}
