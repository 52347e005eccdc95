package iptq.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code iptq demo}: placeholder until wired. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Ingest the bundled sample and show what iptq finds in it.")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
