package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iptq.testing.Libipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SynthLibiptTest {
  @Test
  void libiptReproducesTruth() throws Exception {
    Path h = Libipt.harness("ptxed_harness");
    CodeCorpus c = Corpora.all();
    System.out.println(c);
    for (int seed = 1; seed <= 3; seed++) {
      var o = new TraceSynthesizer.Options();
      o.seed = seed;
      var s = new TraceSynthesizer(c, Corpora.cache(), o).run();
      Path t = Files.createTempFile("synth", ".pt");
      Files.write(t, s.trace());
      List<String> cmd = new ArrayList<>(List.of(h.toString()));
      for (String spec : c.specs()) { cmd.add("--raw"); cmd.add(spec); }
      cmd.add(t.toString());
      List<String> got = Libipt.run(cmd).lines().toList();
      Files.write(Path.of("/tmp/truth" + seed + ".txt"), s.truth);
      Files.write(Path.of("/tmp/libipt" + seed + ".txt"), got);
      Files.copy(t, Path.of("/tmp/synth" + seed + ".pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertEquals(String.join("\n", s.truth), String.join("\n", got), "seed " + seed);
    }
  }
}
