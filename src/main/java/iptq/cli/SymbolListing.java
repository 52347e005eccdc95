package iptq.cli;

import iptq.image.PeFile;
import iptq.symbols.PdbFile;
import iptq.symbols.PdbSymbol;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code iptq info FILE --symbols}: every symbol of a PDB (publics and procedures, with the kind
 * of their record) or the exports of a PE image, by RVA, as an aligned table or CSV.
 */
final class SymbolListing {
  private SymbolListing() {}

  /** {@code rva} -1: none (a forwarder, or a symbol whose segment names no section); {@code size} -1: unknown. */
  record Row(long rva, long size, String kind, String name) {}

  static List<Row> pdb(Path file) {
    PdbFile pdb = PdbFile.open(file);
    List<Row> rows = new ArrayList<>();
    for (PdbSymbol s : pdb.procedures()) rows.add(new Row(s.rva(), s.size(), PdbSymbol.kindName(s.kind()), s.name()));
    for (PdbSymbol s : pdb.publics()) {
      String kind = (s.flags() & PdbSymbol.PUB_FUNCTION) != 0 ? "S_PUB32 function"
          : (s.flags() & PdbSymbol.PUB_CODE) != 0 ? "S_PUB32 code" : "S_PUB32";
      rows.add(new Row(s.rva(), -1, kind, s.name()));
    }
    rows.sort(ORDER);
    return rows;
  }

  static List<Row> exports(Path file) {
    List<Row> rows = new ArrayList<>();
    try (PeFile pe = PeFile.open(file)) {
      for (PeFile.Export x : pe.exports()) {
        String name = x.name() != null ? x.name() : "Ordinal" + x.ordinal();
        if (x.forwarder() != null) rows.add(new Row(-1, -1, "forwarder", name + " -> " + x.forwarder()));
        else rows.add(new Row(x.rva(), -1, "export", name));
      }
    }
    rows.sort(ORDER);
    return rows;
  }

  private static final Comparator<Row> ORDER = Comparator.comparingLong((Row r) -> r.rva() < 0 ? Long.MAX_VALUE : r.rva())
      .thenComparing(Row::kind).thenComparing(Row::name);

  static void print(List<Row> rows, boolean csv, PrintStream out) {
    if (csv) {
      out.println("rva,size,kind,name");
      for (Row r : rows) {
        out.println((r.rva() < 0 ? "" : String.format(Locale.ROOT, "0x%08X", r.rva())) + ","
            + (r.size() < 0 ? "" : Long.toString(r.size())) + "," + csv(r.kind()) + "," + csv(r.name()));
      }
      return;
    }
    int kindWidth = 4;
    for (Row r : rows) kindWidth = Math.max(kindWidth, r.kind().length());
    out.printf(Locale.ROOT, "%-10s %8s  %-" + kindWidth + "s  %s%n", "rva", "size", "kind", "name");
    for (Row r : rows) {
      out.printf(Locale.ROOT, "%-10s %8s  %-" + kindWidth + "s  %s%n",
          r.rva() < 0 ? "-" : String.format(Locale.ROOT, "0x%08X", r.rva()),
          r.size() < 0 ? "" : Long.toString(r.size()), r.kind(), r.name());
    }
    out.printf(Locale.ROOT, "(%d symbol(s))%n", rows.size());
  }

  /** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
  private static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
