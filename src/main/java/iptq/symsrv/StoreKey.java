package iptq.symsrv;

import iptq.symbols.PdbId;
import java.util.Locale;

/**
 * Where a file lives in a symbol store: {@code file/index/file}. The file name comes from inside
 * traces, dumps and images (a PDB path in an RSDS record, an image path in a Loader event), so it
 * is reduced to a plain name and anything that could leave the store ({@code ..}, separators, a
 * drive letter, control characters) is refused: no name from a file ever makes a path outside the
 * cache.
 */
public record StoreKey(String file, String index) {
  public StoreKey {
    file = safeName(file);
    if (index == null || !index.matches("[0-9A-Za-z]{1,64}")) {
      throw new IllegalArgumentException("symbol store index " + index + ": not a hex key");
    }
  }

  /** A PDB by its GUID and age: {@code name.pdb/GUIDAGE/name.pdb}. */
  public static StoreKey pdb(PdbId id) {
    return new StoreKey(id.name(), id.key());
  }

  /** A PE image by TimeDateStamp and SizeOfImage: {@code name.sys/%08X%x/name.sys}. */
  public static StoreKey image(String name, long timeDateStamp, long sizeOfImage) {
    return new StoreKey(name, String.format(Locale.ROOT, "%08X%x", timeDateStamp & 0xFFFFFFFFL, sizeOfImage));
  }

  /**
   * The last part of {@code name} (after {@code \} or {@code /}); refused when that is empty,
   * {@code .} or {@code ..}, or holds a drive colon or a control character.
   */
  public static String safeName(String name) {
    if (name == null) throw new IllegalArgumentException("no file name");
    String n = name.trim();
    int cut = Math.max(n.lastIndexOf('\\'), n.lastIndexOf('/'));
    n = n.substring(cut + 1);
    if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf(':') >= 0) {
      throw new IllegalArgumentException("file name " + printable(name) + ": not a plain file name");
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c < 0x20 || c == 0x7F || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|') {
        throw new IllegalArgumentException("file name " + printable(name) + ": not a plain file name");
      }
    }
    return n;
  }

  /** Whether {@code name} is accepted by {@link #safeName} as it is (already a plain name). */
  public static boolean isPlain(String name) {
    try {
      return safeName(name).equals(name);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) b.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    return b.append('\'').toString();
  }

  /** The compressed form's name: the last character replaced by {@code _} ({@code name.pd_}). */
  public String compressedFile() {
    return file.substring(0, file.length() - 1) + "_";
  }

  /** {@code file/index/file}, with {@code /} as a URL and the store on disk use it. */
  public String relative() {
    return file + "/" + index + "/" + file;
  }

  @Override
  public String toString() {
    return relative();
  }
}
