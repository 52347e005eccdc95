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

  /**
   * A large trace for the benchmark over all the real code (libc, 32-bit libc, WdBoot.sys,
   * CrashWithException.exe), with few events, so that it measures walking code. Returns the
   * image specs (FILE@ADDR@OFFSET@SIZE) to decode it with. Indirect branches go to
   * {@code hotFunctions} functions per module: that sets how much code the trace walks.
   */
  public static List<String> writeBenchTrace(java.nio.file.Path out, long instructions, long seed, int hotFunctions) throws java.io.IOException {
    TraceSynthesizer.Options o = new TraceSynthesizer.Options();
    o.seed = seed;
    o.instructions = instructions;
    o.recordTruth = false;
    o.interrupt = 0.0005;
    o.overflow = 0;
    o.asyncDisable = 0.0001;
    o.syncDisable = 0.001;
    o.pad = 0;
    o.timing = 0.005;
    o.psbPeriod = 16384;
    o.hotFunctions = hotFunctions;
    TraceSynthesizer s = new TraceSynthesizer(Corpora.all(), Corpora.cache(), o).run();
    java.nio.file.Files.write(out, s.trace());
    return Corpora.all().specs();
  }

  /** The image specs of the benchmark's corpus. */
  public static List<String> benchSpecs() {
    return Corpora.all().specs();
  }

  /** The code image of the benchmark's corpus. */
  public static iptq.image.CodeImage benchImage() {
    return Corpora.all().image();
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
