package iptq.sample;

import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Names the functions of the true path: the generator's own load addresses and the PDBs. */
final class FunctionNames {
  private final List<SampleImages.Module> modules;
  private final List<ModuleSymbols> symbols = new ArrayList<>();

  FunctionNames(Path bin, Path data) {
    SampleImages images = new SampleImages(bin, new Random(SampleGenerator.Options.DEFAULT_SEED));
    modules = images.all();
    for (SampleImages.Module m : modules) {
      String stem = m.name().substring(0, m.name().lastIndexOf('.'));
      symbols.add(ModuleSymbols.fromPdb(m.name(), PdbFile.open(bin.resolve(stem + ".pdb"))));
    }
    images.close();
  }

  String function(long ip) {
    for (int i = 0; i < modules.size(); i++) {
      SampleImages.Module m = modules.get(i);
      if (m.contains(ip)) {
        int e = symbols.get(i).find(ip - m.base());
        String stem = m.name().substring(0, m.name().lastIndexOf('.'));
        return e < 0 ? stem + "+0x" + Long.toHexString(ip - m.base()) : stem + "!" + symbols.get(i).name(e);
      }
    }
    return "0x" + Long.toHexString(ip);
  }

  /** The last {@code n} functions (consecutive instructions in one function collapsed) of a segment's true path. */
  String lastFunctions(Truth truth, Truth.Segment s, int n) {
    List<String> runs = new ArrayList<>();
    for (long ip : truth.path(s)) {
      String f = function(ip);
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(f)) runs.add(f);
    }
    return String.join(" > ", runs.subList(Math.max(0, runs.size() - n), runs.size()));
  }
}
