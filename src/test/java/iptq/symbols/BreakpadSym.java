package iptq.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The FUNC and PUBLIC lines of a Breakpad text symbol file: independent ground truth for PDB reading. */
record BreakpadSym(String debugId, List<Line> lines) {
  record Line(String kind, long rva, long size, String name) {}

  static BreakpadSym read(Path p) throws IOException {
    String id = null;
    List<Line> out = new ArrayList<>();
    for (String l : Files.readAllLines(p)) {
      String[] f = l.split(" ");
      if (f[0].equals("MODULE")) id = f[3];
      if (!f[0].equals("FUNC") && !f[0].equals("PUBLIC")) continue;
      int i = 1;
      if (f[i].equals("m")) i++;
      long rva = Long.parseLong(f[i++], 16);
      long size = f[0].equals("FUNC") ? Long.parseLong(f[i++], 16) : -1;
      i++; // parameter size
      out.add(new Line(f[0], rva, size, String.join(" ", List.of(f).subList(i, f.length))));
    }
    return new BreakpadSym(id, out);
  }

  /**
   * The name as the PDB spells it: Breakpad's converter adds the parameter list (and for file-local
   * functions "static" and the return type) from the type information, which iptq does not read.
   */
  static String bareName(String symName) {
    String s = symName;
    if (s.endsWith(")")) {
      int depth = 0;
      for (int i = s.length() - 1; i >= 0; i--) {
        char c = s.charAt(i);
        if (c == ')') depth++;
        else if (c == '(' && --depth == 0) {
          s = s.substring(0, i);
          break;
        }
      }
    }
    if (s.startsWith("static ")) s = s.substring(s.indexOf(' ', "static ".length()) + 1);
    return s;
  }

  /**
   * Whether the PDB name {@code pdbName} is the one Breakpad wrote as {@code symName}: equal once
   * the parameter list is gone, where Breakpad also drops one leading underscore of C names.
   */
  static boolean sameName(String pdbName, String symName) {
    String bare = bareName(symName);
    return pdbName.equals(bare) || pdbName.startsWith("_") && pdbName.substring(1).equals(bare);
  }
}
