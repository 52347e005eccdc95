package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.sample.SampleFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ingest says each thing once: a module without its PDB is one warning, not one per pass or recording. */
class IngestWarningsTest {
  @Test
  void eachMissingPdbIsWarnedOnce(@TempDir Path dir) throws Exception {
    List<String> args = new ArrayList<>(List.of("ingest"));
    for (String etl : List.of("kernel-cswitch.etl", "kernel-syscall.etl", "userkernel-both.etl")) {
      args.add(SampleFiles.data().resolve(etl).toString());
    }
    // PE files but no --symbols: the PDBs beside them are not on the symbol path
    args.addAll(List.of("--image-path", SampleFiles.bin().toString(), "-o", dir.resolve("w.duckdb").toString()));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    Cli r;
    try {
      System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
      r = Cli.run(args.toArray(new String[0]));
    } finally {
      System.setErr(saved);
    }
    assertEquals(0, r.exit(), r.err());
    Map<String, Integer> count = new TreeMap<>();
    for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("iptq: warning: ")) count.merge(line, 1, Integer::sum);
    }
    assertEquals(4, count.size(), count.toString());
    for (Map.Entry<String, Integer> e : count.entrySet()) {
      assertTrue(e.getKey().contains("no PDB"), e.getKey());
      assertEquals(1, e.getValue(), e.getKey());
    }
  }
}
