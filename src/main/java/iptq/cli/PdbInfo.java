package iptq.cli;

import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbFile;
import iptq.symbols.PdbId;
import iptq.symbols.PdbModule;
import iptq.symbols.PdbSection;
import iptq.symbols.PdbSymbol;
import iptq.symbols.SymbolRow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** What {@code iptq info FILE.pdb} prints: the PDB's identity, streams, sections and symbol counts. */
public final class PdbInfo {
  private PdbInfo() {}

  /** How many of the first symbols (by address) are listed. */
  static final int FIRST = 10;

  public static void describe(Path file, PrintStream out) {
    PdbFile pdb = PdbFile.open(file);
    String name = file.getFileName().toString();
    // The caller (iptq info) has already named the file and its kind.
    out.printf(Locale.ROOT, "  MSF              page size %d, %d pages, %d streams%n", pdb.pageSize(),
        pdb.numPages(), pdb.streamCount());
    out.printf(Locale.ROOT, "  GUID             %s%n", PdbId.guidString(pdb.guid()));
    out.printf(Locale.ROOT, "  age              %d (DBI age %d)%n", pdb.age(), pdb.dbiAge());
    out.printf(Locale.ROOT, "  debug id         %s (symbol store path %s/%s/%s)%n", pdb.key(), name, pdb.key(), name);
    out.printf(Locale.ROOT, "  version          %d, signature 0x%08X%n", pdb.version(), pdb.signature());
    out.printf(Locale.ROOT, "  machine          0x%04X%s%n", pdb.machine(), machineName(pdb.machine()));
    out.printf(Locale.ROOT, "  streams          PDB info 1, DBI 3, symbol records %s, publics %s, globals %s, section headers %s%n",
        stream(pdb.symRecordStream()), stream(pdb.publicStream()), stream(pdb.globalStream()), stream(pdb.sectionStream()));
    if (pdb.hasOmap()) out.println("  OMAP             yes: the image was rearranged after linking; symbol addresses are translated");
    out.printf(Locale.ROOT, "  sections         %d%n", pdb.sections().size());
    for (PdbSection s : pdb.sections()) {
      out.printf(Locale.ROOT, "    %-8s rva 0x%08X size 0x%08X%s%n", s.name(), s.virtualAddress(), s.virtualSize(),
          s.executable() ? " code" : "");
    }
    int withSymbols = 0;
    for (PdbModule m : pdb.modules()) if (m.symbolStream() >= 0 && m.symbolBytes() > 4) withSymbols++;
    out.printf(Locale.ROOT, "  modules          %d (%d with symbols%s)%n", pdb.modules().size(), withSymbols,
        pdb.skippedModules() > 0 ? ", " + pdb.skippedModules() + " in a pre-C13 format not read" : "");
    int code = 0;
    for (PdbSymbol p : pdb.publics()) if ((p.flags() & (PdbSymbol.PUB_CODE | PdbSymbol.PUB_FUNCTION)) != 0) code++;
    out.printf(Locale.ROOT, "  publics          %d (%d flagged code or function)%n", pdb.publics().size(), code);
    out.printf(Locale.ROOT, "  procedures       %d%n", pdb.procedures().size());
    ModuleSymbols syms = ModuleSymbols.fromPdb(name, pdb);
    out.printf(Locale.ROOT, "  functions        %d symbols at %d addresses (procedures, then publics no procedure covers)%n",
        syms.rowCount(), syms.entryCount());
    int n = Math.min(FIRST, syms.rowCount());
    if (n > 0) out.printf(Locale.ROOT, "  first %d:%n", n);
    for (int i = 0; i < n; i++) {
      SymbolRow r = syms.row(i);
      out.printf(Locale.ROOT, "    0x%08X %6d  %-10s %s%n", r.rva(), r.size(), r.source(), r.name());
    }
  }

  private static String stream(int s) {
    return s < 0 || s == 0xFFFF ? "none" : Integer.toString(s);
  }

  private static String machineName(int m) {
    return switch (m) {
      case 0x8664 -> " (x64)";
      case 0x14C -> " (x86)";
      case 0xAA64 -> " (ARM64)";
      default -> "";
    };
  }
}
