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

  /** module!function, e.g. sampdrv.sys!SampSystemService. */
  String function(long ip) {
    for (int i = 0; i < modules.size(); i++) {
      SampleImages.Module m = modules.get(i);
      if (m.contains(ip)) {
        int e = symbols.get(i).find(ip - m.base());
        return e < 0 ? m.name() + "+0x" + Long.toHexString(ip - m.base()) : m.name() + "!" + symbols.get(i).name(e);
      }
    }
    return "0x" + Long.toHexString(ip);
  }

  /**
   * The last {@code n} functions (consecutive instructions in one function collapsed) of a
   * segment's true path: instructions FROM..END-1 of its stream (END = SETTLED or TO).
   */
  String lastFunctions(Truth truth, Truth.Segment s, int end, int n) {
    List<String> runs = new ArrayList<>();
    for (int k = s.from(); k < end; k++) {
      long ip = truth.ip(s.stream(), k);
      String f = function(ip);
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(f)) runs.add(f);
    }
    return String.join(" > ", runs.subList(Math.max(0, runs.size() - n), runs.size()));
  }
}
