package iptq.cli;

import iptq.InputException;
import iptq.ingest.FileKind;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Say what files hold: .etl and ipt.sys traces, raw Intel PT traces, dumps, PE images, PDBs.")
public final class InfoCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE",
      description = "Files to describe: .etl and ipt.sys traces, raw Intel PT traces, minidumps and kernel dumps, PE images, PDBs; the kind is judged by content.")
  java.util.List<Path> files;

  @picocli.CommandLine.Option(names = "--ipt-hook", paramLabel = "HOOKID", converter = HexIntConverter.class,
      description = "The ETW hook id that carries IPT events, when detection by structure is not wanted.")
  Integer iptHook;

  // Flags of their own: report --list is a flag and ingest --symbols takes a path, so neither name fits here.
  @picocli.CommandLine.Option(names = "--list-segments",
      description = "List every IPT segment of an .etl or ipt.sys trace instead of describing it: the number --segment N"
          + " takes, trigger, pid, tid, cpu, time, bytes.")
  boolean listSegments;

  @picocli.CommandLine.Option(names = "--list-symbols",
      description = "List every symbol instead of describing the file: of a PDB its publics and procedures (RVA, size,"
          + " kind, name), of a PE image its exports.")
  boolean listSymbols;

  @picocli.CommandLine.Option(names = "--format", paramLabel = "table|csv",
      description = "With --list-segments or --list-symbols: an aligned table or CSV (default: table).")
  String format;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (listSegments && listSymbols) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--list-segments or --list-symbols, not both");
    }
    String what = listSegments ? "segments" : listSymbols ? "symbols" : null;
    if (format != null && what == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--format goes with --list-segments or --list-symbols (the description is text)");
    }
    boolean csv = switch (format == null ? "table" : format.toLowerCase(java.util.Locale.ROOT)) {
      case "csv" -> true;
      case "table" -> false;
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format " + format + ": table or csv");
    };
    boolean first = true;
    for (Path f : files) {
      InputException.requireFile(f, "file");
      if (!first && !csv) out.println();
      first = false;
      FileKind kind = FileKind.of(f);
      if (kind == FileKind.UNKNOWN) {
        throw new InputException(null, -1, "not an .etl, ipt.sys or raw Intel PT trace, dump, PE image"
            + " or PDB: " + f + " (looked for their headers, and for a PSB packet)");
      }
      if ("symbols".equals(what)) {
        switch (kind) {
          case PDB -> SymbolListing.print(SymbolListing.pdb(f), csv, out);
          case PE -> SymbolListing.print(SymbolListing.exports(f), csv, out);
          default -> throw new InputException(f, -1, "--list-symbols lists the symbols of a PDB or the exports of a PE image;"
              + " this is " + kind.description());
        }
        continue;
      }
      if ("segments".equals(what)) {
        if (kind != FileKind.ETL && kind != FileKind.IPT_SYS) {
          throw new InputException(f, -1, "--list-segments lists the IPT segments of an .etl or ipt.sys trace; this is "
              + kind.description());
        }
        SegmentTable.print(EtlInfo.segments(f, iptHook == null ? -1 : iptHook), csv, out);
        continue;
      }
      out.printf("%s: %s, %,d bytes%n", f, kind.description(), Files.size(f));
      switch (kind) {
        case RAW_PT -> PtInfo.describe(f, out);
        case MINIDUMP, KERNEL_DUMP, PE -> ImageInfo.describe(f, out);
        case PDB -> PdbInfo.describe(f, out);
        case ETL, IPT_SYS -> EtlInfo.describe(f, out, iptHook == null ? -1 : iptHook);
        default -> throw new AssertionError(kind);
      }
    }
    return 0;
  }
}
