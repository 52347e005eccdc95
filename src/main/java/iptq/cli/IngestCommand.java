package iptq.cli;

import iptq.ingest.Ingest;
import iptq.ingest.IngestOptions;
import iptq.ingest.Progress;
import iptq.ingest.TimeBase;
import iptq.symsrv.SymbolServer;
import iptq.pt.PacketClock;
import iptq.table.TableWriter;
import iptq.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Decode traces (.etl, ipt.sys, raw Intel PT) into a DuckDB database.",
      "The database holds packets, branches, blocks, and what the trace says about processes,"
          + " threads and modules.",
      "The database is written in a temporary folder and moved into place only when complete."
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

  @Option(names = "--symbols", paramLabel = "PATH",
      description = "Symbol folder, or symbol path entries as in _NT_SYMBOL_PATH (srv*CACHE*https://server, cache*DIR; ';'-separated), read before _NT_SYMBOL_PATH. PDBs and PE images are downloaded from the servers into CACHE.")
  List<String> symbols = new ArrayList<>();

  @Option(names = "--offline", description = "Use the symbol caches only: download nothing.")
  boolean offline;

  @Option(names = "--symbol-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Seconds to wait for a symbol server to answer a request (default: ${DEFAULT-VALUE}); after the retries it is not asked again in the run.")
  double symbolTimeout;

  @Option(names = "--parquet", paramLabel = "DIR", description = "Also write every table as a Parquet dataset partitioned by trace.")
  Path parquet;

  @Option(names = "--instructions", description = "Also fill the instructions table (one row per instruction: large).")
  boolean instructions;

  @Option(names = "--no-packets", negatable = true, defaultValue = "true",
      description = "Fill the packets table (default: on).")
  boolean packets;

  @Option(names = "--threads", paramLabel = "N", description = "Decoding threads, 1 or more (default: one per core).")
  Integer threads;

  @Option(names = "--ipt-hook", paramLabel = "HOOKID", converter = HexIntConverter.class,
      description = "The ETW hook id (group<<8|type, e.g. 0x2220) that carries IPT events, when detection by structure is not wanted.")
  Integer iptHook;

  @Option(names = "--tsc-hz", paramLabel = "HZ",
      description = "TSC frequency, to turn packet times into ns (raw traces; ETL traces take it from their header).")
  long tscHz;

  @Option(names = "--mtc-freq", paramLabel = "N", defaultValue = "3",
      description = "IA32_RTIT_CTL.MTCFreq: MTC packets every 2^N crystal clock ticks (default: ${DEFAULT-VALUE}; ETL traces take it from IptOption).")
  int mtcFreq;

  // the timing options are named as ptdump and iptq packets name them
  @Option(names = "--cpuid-0x15.eax", paramLabel = "N", converter = HexIntConverter.class,
      description = "CPUID.15H:EAX, the TSC/crystal clock ratio's denominator, so MTC packets move time.")
  Integer cpuidEax;

  @Option(names = "--cpuid-0x15.ebx", paramLabel = "N", converter = HexIntConverter.class,
      description = "CPUID.15H:EBX, the TSC/crystal clock ratio's numerator.")
  Integer cpuidEbx;

  @Option(names = "--nom-freq", paramLabel = "N",
      description = "MSR_PLATFORM_INFO[15:8], the TSC's nominal ratio, so CYC packets move time.")
  int nominalRatio;

  @Option(names = "--no-import-rewrite", negatable = true, defaultValue = "true",
      description = "Decode PE files as the kernel rewrites them at load time (import optimization, from the DVRT); --no-import-rewrite reads them as on disk (default: rewrite).")
  boolean importRewrite;

  @Option(names = "--verbose",
      description = "Also print, module by module, what the summary at the end sums up (each PDB not found on the symbol path).")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (threads != null && threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads " + threads + ": at least 1 thread is needed");
    }
    for (Path t : traces) InputException.requireFile(t, "trace file");
    for (Path d : dumps) InputException.requireFile(d, "dump file");
    Inputs.requireImageFiles(images);
    for (String entry : symbols) {
      // a plain folder must exist; symbol path entries (srv*…, cache*…) name stores made on demand
      if (entry.contains("*") || entry.contains(";")) continue;
      Path d = Path.of(entry);
      if (!Files.isDirectory(d)) {
        throw new InputException(d, -1, Files.exists(d) ? "--symbols: not a directory" : "--symbols: no such directory");
      }
    }
    if (!(symbolTimeout > 0)) throw new ParameterException(spec.commandLine(), "--symbol-timeout must be more than 0 seconds");
    if ((cpuidEax == null) != (cpuidEbx == null)) {
      throw new ParameterException(spec.commandLine(), "--cpuid-0x15.eax and --cpuid-0x15.ebx go together");
    }
    long eax = cpuidEax == null ? 0 : Integer.toUnsignedLong(cpuidEax);
    long ebx = cpuidEbx == null ? 0 : Integer.toUnsignedLong(cpuidEbx);
    if (mtcFreq < 0 || mtcFreq > 15) throw new ParameterException(spec.commandLine(), "--mtc-freq is 0 to 15");
    TimeBase time = new TimeBase(new PacketClock.Config(mtcFreq, eax, ebx, nominalRatio),
        tscHz > 0 ? tscHz : TableWriter.NULL, TableWriter.NULL);
    IngestOptions o = new IngestOptions(traces, output, force, images, dumps, imagePaths, symbols,
        parquet, instructions, threads == null ? 0 : threads, iptHook, packets, time, importRewrite,
        SymbolServer.Options.defaults().withOffline(offline)
            .withTimeout(java.time.Duration.ofMillis((long) (symbolTimeout * 1000)), 2)
            .withProgress(Tty.progress(), System.err), verbose);
    Ingest.Summary s = new Ingest(o, Progress.toStderr(Tty.progress())).run();
    System.out.printf("%s: %d trace(s), %,d segment(s), %,d packets, %,d decode error(s)%n",
        s.output(), s.traces(), s.segments(), s.packets(), s.errors());
    return 0;
  }
}
