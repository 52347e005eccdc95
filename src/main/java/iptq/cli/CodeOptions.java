package iptq.cli;

import iptq.InputException;
import iptq.symsrv.SymbolServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where the code and the names of a trace's modules come from: the options {@code iptq ingest}
 * and {@code iptq insns|packets --segment N} share, one definition so that they are spelt,
 * described and checked alike.
 */
final class CodeOptions {
  /** The command this mixin is part of (ingest, insns, packets), for its usage errors. */
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--dump", paramLabel = "FILE", description = "Process minidump or kernel dump holding the code.")
  List<Path> dumps = new ArrayList<>();

  @Option(names = "--image-path", paramLabel = "DIR", description = "Folder to search for PE files of the trace's modules.")
  List<Path> imagePaths = new ArrayList<>();

  @Option(names = "--symbols", paramLabel = "PATH",
      description = "Symbol folder, or symbol path entries as in _NT_SYMBOL_PATH (srv*CACHE*https://server, cache*DIR; ';'-separated), read before _NT_SYMBOL_PATH. PDBs and PE images are downloaded from the servers into CACHE.")
  List<String> symbols = new ArrayList<>();

  @Option(names = "--offline", description = "Use the symbol caches only: download nothing.")
  boolean offline;

  @Option(names = "--symbol-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Seconds to wait for a symbol server to answer a request (default: ${DEFAULT-VALUE}); after the retries it is not asked again in the run.")
  double symbolTimeout;

  @Option(names = "--no-import-rewrite", negatable = true, defaultValue = "true",
      description = "Decode PE files as the kernel rewrites them at load time (import optimization, from the DVRT); --no-import-rewrite reads them as on disk (default: rewrite).")
  boolean importRewrite;

  /** The checks before any file is read: dumps are files, plain symbol folders exist, the timeout is positive. */
  void check() {
    for (Path d : dumps) InputException.requireFile(d, "dump file");
    for (String entry : symbols) {
      // a plain folder must exist; symbol path entries (srv*…, cache*…) name stores made on demand
      if (entry.contains("*") || entry.contains(";")) continue;
      Path d = Path.of(entry);
      if (!Files.isDirectory(d)) {
        throw new InputException(d, -1, Files.exists(d) ? "--symbols: not a directory" : "--symbols: no such directory");
      }
    }
    if (!(symbolTimeout > 0)) throw new ParameterException(spec.commandLine(), "--symbol-timeout must be more than 0 seconds");
  }

  /** How the symbol stores are used, with the progress line on a terminal. */
  SymbolServer.Options symbolServer() {
    return SymbolServer.Options.defaults().withOffline(offline)
        .withTimeout(java.time.Duration.ofMillis((long) (symbolTimeout * 1000)), 2)
        .withProgress(Tty.progress(), System.err);
  }
}
