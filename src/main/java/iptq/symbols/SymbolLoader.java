package iptq.symbols;

import iptq.InputException;
import iptq.image.CodeViewRecord;
import iptq.image.PeFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives a module its names from the best source: the PDB its RSDS record names, found on the
 * symbol path; else its exports; else none. What was tried and rejected is kept as notes.
 */
public final class SymbolLoader {
  private final SymbolPath path;

  public SymbolLoader(SymbolPath path) {
    this.path = path;
  }

  /**
   * The module's symbols and what happened on the way: {@code notes} what was found and refused
   * (a PDB of another build, a damaged one), {@code missing} the PDB that was looked for and not
   * found at all, or null. Ingest prints the notes and leaves {@code missing} to its summary.
   */
  public record Loaded(ModuleSymbols symbols, Path pdb, List<String> notes, String missing) {}

  /**
   * {@code pdbId} may be null (no RSDS record); {@code exports} and {@code sections} come from the
   * image (empty when it is not at hand).
   */
  public Loaded load(String module, PdbId pdbId, List<ExportSymbol> exports, List<PdbSection> sections) {
    List<String> notes = new ArrayList<>();
    String missing = null;
    if (pdbId != null) {
      PdbLocator.Result r = PdbLocator.find(pdbId, path);
      notes.addAll(r.rejected());
      if (r.found()) {
        try {
          return new Loaded(ModuleSymbols.fromPdb(module, PdbFile.open(r.pdb(), pdbId)), r.pdb(), notes, null);
        } catch (InputException e) {
          notes.add(e.getMessage());
        }
      } else {
        missing = "no PDB " + pdbId + " on the symbol path";
      }
    }
    if (!exports.isEmpty()) return new Loaded(ModuleSymbols.fromExports(module, exports, sections), null, notes, missing);
    return new Loaded(ModuleSymbols.none(module), null, notes, missing);
  }

  /** The same for a PE file at hand: its RSDS record, exports and sections. */
  public Loaded load(String module, PeFile pe) {
    CodeViewRecord cv = pe.codeView();
    return load(module, cv == null ? null : PdbId.of(cv), exports(pe), sections(pe));
  }

  /** A PE file's exports, forwarders left out, unnamed ones as {@code Ordinal<n>}. */
  public static List<ExportSymbol> exports(PeFile pe) {
    List<ExportSymbol> out = new ArrayList<>();
    for (PeFile.Export x : pe.exports()) {
      if (x.forwarder() != null) continue;
      out.add(new ExportSymbol(x.rva(), x.name() != null ? x.name() : "Ordinal" + x.ordinal()));
    }
    return out;
  }

  public static List<PdbSection> sections(PeFile pe) {
    List<PdbSection> out = new ArrayList<>();
    for (PeFile.Section s : pe.sections()) {
      out.add(new PdbSection(s.name(), s.virtualAddress(), s.virtualSize(), s.characteristics()));
    }
    return out;
  }
}
