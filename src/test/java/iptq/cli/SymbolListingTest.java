package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Fixtures;
import iptq.testing.Required;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code iptq info FILE.pdb --list-symbols} and {@code iptq info FILE.dll --list-symbols} against LLVM's own
 * readers: every public and procedure llvm-pdbutil lists (kind, name, section:offset turned into
 * an RVA by the PDB's section headers, code size), every export llvm-readobj lists.
 */
class SymbolListingTest {
  static final Path BIN = Fixtures.projectDir().resolve("sample/bin");

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  /** "kind|name|rva|size" per symbol, as llvm-pdbutil dumps them. */
  private static TreeSet<String> llvm(Path pdb) throws Exception {
    Map<Integer, Long> va = new TreeMap<>();
    Matcher h = Pattern.compile("SECTION HEADER #(\\d+)\\s+\\S.*?\\n\\s+([0-9A-Fa-f]+) virtual size\\s+([0-9A-Fa-f]+) virtual address",
        Pattern.DOTALL).matcher(run("llvm-pdbutil", "dump", "--section-headers", pdb.toString()));
    while (h.find()) va.put(Integer.parseInt(h.group(1)), Long.parseLong(h.group(3), 16));
    TreeSet<String> out = new TreeSet<>();
    Matcher pub = Pattern.compile("S_PUB32 \\[size = \\d+\\] `([^`]*)`\\s+flags = ([a-z |]+), addr = (\\d+):(\\d+)")
        .matcher(run("llvm-pdbutil", "dump", "--publics", pdb.toString()));
    while (pub.find()) {
      String flags = pub.group(2).trim();
      String kind = flags.contains("function") ? "S_PUB32 function" : flags.contains("code") ? "S_PUB32 code" : "S_PUB32";
      out.add(kind + "|" + pub.group(1) + "|" + rva(va, pub.group(3), pub.group(4)) + "|");
    }
    Matcher proc = Pattern.compile("(S_[GL]PROC32(?:_ID)?) \\[size = \\d+\\] `([^`]*)`\\s+parent = \\d+, end = \\d+, addr = (\\d+):(\\d+), code size = (\\d+)")
        .matcher(run("llvm-pdbutil", "dump", "--symbols", pdb.toString()));
    while (proc.find()) out.add(proc.group(1) + "|" + proc.group(2) + "|" + rva(va, proc.group(3), proc.group(4)) + "|" + proc.group(5));
    return out;
  }

  private static String rva(Map<Integer, Long> va, String seg, String off) {
    return String.format(Locale.ROOT, "0x%08X", va.get(Integer.parseInt(seg)) + Long.parseLong(off));
  }

  private static TreeSet<String> ours(List<SymbolListing.Row> rows) {
    TreeSet<String> out = new TreeSet<>();
    for (SymbolListing.Row r : rows) {
      out.add(r.kind() + "|" + r.name() + "|" + String.format(Locale.ROOT, "0x%08X", r.rva()) + "|" + (r.size() < 0 ? "" : r.size()));
    }
    return out;
  }

  @Test
  void everyPdbSymbolAsLlvmPdbutilListsIt() throws Exception {
    Required.tool("llvm-pdbutil");
    for (String pdb : List.of("sampdrv.pdb", "samplib.pdb", "sampapp.pdb", "ntstub.pdb")) {
      TreeSet<String> want = llvm(BIN.resolve(pdb));
      assertTrue(want.size() >= 5, pdb + ": " + want);
      assertEquals(String.join("\n", want), String.join("\n", ours(SymbolListing.pdb(BIN.resolve(pdb)))), pdb);
    }
  }

  @Test
  void everyExportAsLlvmReadobjListsIt() throws Exception {
    Required.tool("llvm-readobj");
    for (String pe : List.of("ntstub.sys", "samplib.dll")) {
      TreeSet<String> want = new TreeSet<>();
      Matcher m = Pattern.compile("Name: (\\S+)\\s+RVA: 0x([0-9A-Fa-f]+)").matcher(run("llvm-readobj", "--coff-exports", BIN.resolve(pe).toString()));
      while (m.find()) want.add("export|" + m.group(1) + "|" + String.format(Locale.ROOT, "0x%08X", Long.parseLong(m.group(2), 16)) + "|");
      assertTrue(want.size() >= 3, pe + ": " + want);
      assertEquals(want, ours(SymbolListing.exports(BIN.resolve(pe))), pe);
    }
  }

  @Test
  void csvFromTheCommandLine() throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    Cli c;
    try {
      c = Cli.run("info", BIN.resolve("sampdrv.pdb").toString(), "--list-symbols", "--format", "csv");
    } finally {
      System.setOut(saved);
    }
    assertEquals(0, c.exit(), c.err());
    List<String> lines = new ArrayList<>(List.of(buf.toString(StandardCharsets.UTF_8).split("\n")));
    assertEquals("rva,size,kind,name", lines.get(0));
    assertEquals(SymbolListing.pdb(BIN.resolve("sampdrv.pdb")).size() + 1, lines.size());
    assertTrue(lines.contains("0x00001050,1020,S_GPROC32,SampSystemService"), lines.toString());
    Cli etl = Cli.run("info", Fixtures.projectDir().resolve("sample/data/kernel-syscall.etl").toString(), "--list-symbols");
    assertEquals(1, etl.exit());
    assertTrue(etl.err().contains("--list-symbols lists the symbols of a PDB or the exports of a PE image"), etl.err());
  }
}
