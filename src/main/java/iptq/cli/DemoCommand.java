package iptq.cli;

import iptq.InputException;
import iptq.sample.SampleDemo;
import iptq.sample.SampleFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iptq demo}: decodes the bundled sample session and shows what iptq finds in it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Decode the bundled sample (sample/data: three WPR-style recordings of sampapp.exe",
      "with IPT on SystemCallExit and CSwitch) and show, per IPT segment, the functions that",
      "ran before the event and the decode health."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--last", defaultValue = "6", paramLabel = "N", description = "Functions to show before each event (default: ${DEFAULT-VALUE}).")
  int last;

  @Override
  public Integer call() throws Exception {
    Path data = SampleFiles.data();
    if (!Files.isDirectory(data)) throw new InputException(data, -1, "the bundled sample is missing");
    long t0 = System.nanoTime();
    System.out.println("iptq demo: the bundled sample in " + data);
    int n = new SampleDemo(data, SampleFiles.bin(), System.out, last).run();
    System.out.printf("%n%d IPT segments decoded in %.1f s. Try next:%n", n, (System.nanoTime() - t0) / 1e9);
    System.out.println("  iptq sample -o /tmp/mysample --seed 42 --events 100   # a bigger session, with its truth");
    System.out.println("  iptq info sample/data/kernel-syscall.etl              # what a recording holds");
    System.out.println("  iptq profile --code-mode kernel --buffer 4 --event SystemCallExit   # capture your own on Windows");
    return 0;
  }
}
