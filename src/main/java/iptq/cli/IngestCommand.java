package iptq.cli;

import iptq.ingest.Ingest;
import iptq.ingest.IngestOptions;
import iptq.ingest.Progress;
import iptq.ingest.TimeBase;
import iptq.pt.PacketClock;
import iptq.table.TableWriter;
import iptq.InputException;
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

  @picocli.CommandLine.Mixin CodeOptions code = new CodeOptions();

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
    code.check();
    Inputs.requireImageFiles(images);
    if ((cpuidEax == null) != (cpuidEbx == null)) {
      throw new ParameterException(spec.commandLine(), "--cpuid-0x15.eax and --cpuid-0x15.ebx go together");
    }
    long eax = cpuidEax == null ? 0 : Integer.toUnsignedLong(cpuidEax);
    long ebx = cpuidEbx == null ? 0 : Integer.toUnsignedLong(cpuidEbx);
    if (mtcFreq < 0 || mtcFreq > 15) throw new ParameterException(spec.commandLine(), "--mtc-freq is 0 to 15");
    TimeBase time = new TimeBase(new PacketClock.Config(mtcFreq, eax, ebx, nominalRatio),
        tscHz > 0 ? tscHz : TableWriter.NULL, TableWriter.NULL);
    IngestOptions o = new IngestOptions(traces, output, force, images, code.dumps, code.imagePaths, code.symbols,
        parquet, instructions, threads == null ? 0 : threads, iptHook, packets, time, code.importRewrite,
        code.symbolServer(), verbose);
    Ingest.Summary s = new Ingest(o, Progress.toStderr(Tty.progress())).run();
    System.out.printf("%s: %d trace(s), %,d segment(s), %,d packets, %,d decode error(s)%n",
        s.output(), s.traces(), s.segments(), s.packets(), s.errors());
    return 0;
  }
}
