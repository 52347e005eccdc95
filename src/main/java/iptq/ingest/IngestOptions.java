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
    List<Path> symbolPaths,
    Path parquetDir,
    boolean instructions,
    int threads,
    Integer iptHook,
    boolean packets,
    TimeBase time,
    boolean importOptimization) {}
