package iptq.cli;

import iptq.InputException;
import iptq.sample.SampleFiles;
import iptq.sample.SampleGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iptq sample}: writes a recorded-looking session made by running the sample's real code. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write a sample Windows session with its truth, generated from the real code in sample/bin.",
      "The session: .etl recordings with IPT events (kernel-only and user+kernel, 4-32 KiB buffers,"
          + " wrapped and not), a process minidump, a live kernel dump, and the true instruction path"
          + " of every IPT event (truth.txt.gz). Same seed, same bytes."
    })
public final class SampleCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Folder to write into.")
  Path output;

  @Option(names = "--seed", defaultValue = "7", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--events", defaultValue = "24", paramLabel = "N",
      description = "IPT events to write, spread over the recordings (default: ${DEFAULT-VALUE}).")
  int events;

  @Option(names = "--bin", paramLabel = "DIR", description = "The sample's PE files (default: sample/bin of this iptq).")
  Path bin;

  @Override
  public Integer call() throws Exception {
    Path b = bin != null ? bin : SampleFiles.bin();
    if (!Files.isRegularFile(b.resolve("sampapp.exe"))) throw new InputException(b, -1, "no sample binaries here (sampapp.exe)");
    if (events < 0 || events > 1_000_000) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--events must be 0..1000000");
    SampleGenerator.Summary s = SampleGenerator.generate(b, output, new SampleGenerator.Options(seed, events));
    System.out.printf("iptq sample: %d IPT events from %d runs of sampapp.exe (%,d instructions executed)%n",
        s.iptEvents(), s.processes(), s.instructions());
    for (Path p : s.files()) System.out.printf("  %-40s %,10d bytes%n", p, Files.size(p));
    return 0;
  }
}
