package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proof: synthesized traces over real compiled code, decoded by libipt's instruction
 * decoder and by iptq; both must reproduce the synthesizer's true instruction sequence, events
 * included, line by line.
 */
class FlowDifferentialTest {
  private static void check(String name, TraceSynthesizer.Options o) throws Exception {
    CodeCorpus c = Corpora.all();
    TraceSynthesizer s = new TraceSynthesizer(c, Corpora.cache(), o).run();
    byte[] trace = s.trace();
    List<String> truth = s.truth;
    List<String> libipt = FlowRunner.libipt(trace, c.specs());
    assertNull(FlowRunner.firstDifference(truth, libipt), name + ": libipt vs truth");
    List<String> iptq = FlowRunner.iptq(trace, c.image());
    assertNull(FlowRunner.firstDifference(truth, iptq), name + ": iptq vs truth");
  }

  @Test
  void defaultMix() throws Exception {
    for (int seed = 1; seed <= 20; seed++) {
      TraceSynthesizer.Options o = new TraceSynthesizer.Options();
      o.seed = seed;
      check("seed " + seed, o);
    }
  }
}
