package iptq.flow;

import java.util.List;

/** The synthesizer for tests in other packages (the CLI's). */
public final class FlowTestAccess {
  private FlowTestAccess() {}

  public record Synth(byte[] trace, List<String> truth, List<String> specs, SynthInsn.Cache cache, CodeCorpus corpus) {
    /** Capstone's text for the instruction at the hex IP, as the synthesizer saw it. */
    public String text(String hexIp) {
      long ip = Long.parseUnsignedLong(hexIp, 16);
      return cache.get(corpus.regionOf(ip), ip).text;
    }
  }

  /** A trace over 64-bit user code (libc, CrashWithException.exe), with its true listing. */
  public static Synth synthUser(long seed, long instructions) {
    TraceSynthesizer.Options o = new TraceSynthesizer.Options();
    o.seed = seed;
    o.instructions = instructions;
    CodeCorpus c = Corpora.user64();
    TraceSynthesizer s = new TraceSynthesizer(c, Corpora.cache(), o).run();
    return new Synth(s.trace(), s.truth, c.specs(), Corpora.cache(), c);
  }
}
