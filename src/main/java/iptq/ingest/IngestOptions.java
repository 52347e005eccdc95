package iptq.ingest;

import java.nio.file.Path;
import java.util.List;

/** What {@code iptq ingest} was asked to do. */
public record IngestOptions(
    List<Path> traces,
    Path output,
    boolean force,
    List<String> rawImages,
    List<Path> dumps,
    List<Path> imagePaths,
    /** {@code --symbols} entries: folders or symbol path entries ({@code srv*CACHE*URL}, …). */
    List<String> symbolPaths,
    Path parquetDir,
    boolean instructions,
    int threads,
    Integer iptHook,
    boolean packets,
    TimeBase time,
    boolean importOptimization,
    /** How the symbol stores are used: offline, timeouts, retries, parallel downloads. */
    iptq.symsrv.SymbolServer.Options symbolServer,
    /** Also print the details the summary sums up (each PDB not found, module by module). */
    boolean verbose) {}
