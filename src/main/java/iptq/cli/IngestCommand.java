package iptq.cli;

import iptq.ingest.Ingest;
import iptq.ingest.IngestOptions;
import iptq.ingest.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Decode traces into a DuckDB database: packets, branches, blocks, and what the trace says"
          + " about processes, threads and modules.",
      "The database is written to a temporary file and renamed into place only when complete."
    })
public final class IngestCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Raw Intel PT traces (.pt) or WPR traces (.etl).")
  List<Path> traces;

  @Option(names = {"-o", "--output"}, paramLabel = "DB", defaultValue = "trace.duckdb",
      description = "Database to write (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--force", description = "Overwrite an existing database.")
  boolean force;

  @Option(names = "--image", paramLabel = "FILE@ADDR[@OFFSET@SIZE]",
      description = "Raw code bytes mapped at an address, as ptxed --raw.")
  List<String> images = new ArrayList<>();

  @Option(names = "--dump", paramLabel = "FILE", description = "Process minidump or kernel dump holding the code.")
  List<Path> dumps = new ArrayList<>();

  @Option(names = "--image-path", paramLabel = "DIR", description = "Folder to search for PE files of the trace's modules.")
  List<Path> imagePaths = new ArrayList<>();

  @Option(names = "--symbols", paramLabel = "DIR", description = "Symbol folder or store (PDBs); _NT_SYMBOL_PATH is read too.")
  List<Path> symbols = new ArrayList<>();

  @Option(names = "--parquet", paramLabel = "DIR", description = "Also write every table as a Parquet dataset partitioned by trace.")
  Path parquet;

  @Option(names = "--instructions", description = "Also fill the instructions table (one row per instruction: large).")
  boolean instructions;

  @Option(names = "--no-packets", negatable = true, defaultValue = "true",
      description = "Fill the packets table (default: on).")
  boolean packets;

  @Option(names = "--threads", paramLabel = "N", description = "Decoding threads (default: one per core).")
  int threads;

  @Option(names = "--ipt-hook", paramLabel = "HOOKID", converter = HexIntConverter.class,
      description = "The ETW hook id (group<<8|type, e.g. 0x2220) that carries IPT events, when detection by structure is not wanted.")
  Integer iptHook;

  @Override
  public Integer call() throws Exception {
    IngestOptions o = new IngestOptions(traces, output, force, images, dumps, imagePaths, symbols,
        parquet, instructions, threads, iptHook, packets);
    Ingest.Summary s = new Ingest(o, Progress.forTerminal()).run();
    System.out.printf("%s: %d trace(s), %,d segment(s), %,d packets, %,d decode error(s)%n",
        s.output(), s.traces(), s.segments(), s.packets(), s.errors());
    return 0;
  }
}
