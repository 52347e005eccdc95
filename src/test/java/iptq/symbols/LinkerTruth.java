package iptq.symbols;

import iptq.testing.ClangPe;
import iptq.testing.Libipt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the LLVM tools, independently of iptq, say about a clang-built image: the functions the
 * objects define (llvm-nm), where the linker put them (lld-link's /map) and their code sizes
 * (llvm-pdbutil's dump of the PDB's procedure records).
 */
final class LinkerTruth {
  private LinkerTruth() {}

  private static final Pattern MAP_LINE =
      Pattern.compile("^\\s*([0-9a-fA-F]{4}):([0-9a-fA-F]{8})\\s+(\\S+)\\s+([0-9a-fA-F]{16})\\s+\\S+");
  private static final Pattern BASE = Pattern.compile("Preferred load address is ([0-9a-fA-F]+)");
  private static final Pattern PROC = Pattern.compile("S_[GL]PROC32(?:_ID)? \\[size = \\d+\\] `([^`]*)`");
  private static final Pattern CODE_SIZE = Pattern.compile("code size = (\\d+)");
  private static final Pattern EXPORT = Pattern.compile("Name: (\\S+)\\s+RVA: 0x([0-9A-Fa-f]+)");

  /** Names of the functions (text symbols, global T and file-local t) the objects define. */
  static List<String> definedFunctions(List<Path> objects) throws IOException {
    ClangPe.require("llvm-nm");
    List<String> out = new java.util.ArrayList<>();
    for (Path o : objects) {
      for (String l : Libipt.run(List.of("llvm-nm", "--defined-only", o.toString())).split("\n")) {
        String[] f = l.trim().split("\\s+");
        if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) out.add(f[2]);
      }
    }
    return out;
  }

  /** Function name → RVA from the linker map (publics and static symbols). */
  static Map<String, Long> mapRvas(Path map) throws IOException {
    String text = Files.readString(map);
    Matcher b = BASE.matcher(text);
    if (!b.find()) throw new AssertionError("no preferred load address in " + map);
    long base = Long.parseUnsignedLong(b.group(1), 16);
    Map<String, Long> out = new LinkedHashMap<>();
    for (String l : text.split("\n")) {
      Matcher m = MAP_LINE.matcher(l);
      if (m.find()) out.put(m.group(3), Long.parseUnsignedLong(m.group(4), 16) - base);
    }
    return out;
  }

  /** Procedure name → code size from llvm-pdbutil. */
  static Map<String, Long> pdbutilSizes(Path pdb) throws IOException {
    ClangPe.require("llvm-pdbutil");
    String[] lines = Libipt.run(List.of("llvm-pdbutil", "dump", "-symbols", pdb.toString())).split("\n");
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < lines.length; i++) {
      Matcher p = PROC.matcher(lines[i]);
      if (!p.find()) continue;
      Matcher s = CODE_SIZE.matcher(lines[i + 1]);
      if (s.find()) out.put(p.group(1), Long.parseLong(s.group(1)));
    }
    return out;
  }

  /** Export name → RVA from llvm-readobj. */
  static Map<String, Long> exports(Path image) throws IOException {
    ClangPe.require("llvm-readobj");
    String text = Libipt.run(List.of("llvm-readobj", "--coff-exports", image.toString()));
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m = EXPORT.matcher(text);
    while (m.find()) out.put(m.group(1), Long.parseLong(m.group(2), 16));
    return out;
  }
}
