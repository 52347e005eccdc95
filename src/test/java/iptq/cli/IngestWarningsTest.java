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

/**
 * An ingest says each thing once: a module the trace ran without its PDB is one line of the summary
 * at the end, not also a warning per module (and never one per pass or recording); {@code
 * --verbose} adds the details, each PDB not found once.
 */
class IngestWarningsTest {
  private static String ingest(Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("ingest"));
    for (String etl : List.of("kernel-cswitch.etl", "kernel-syscall.etl", "userkernel-both.etl")) {
      args.add(SampleFiles.data().resolve(etl).toString());
    }
    // PE files but no --symbols: the PDBs beside them are not on the symbol path
    args.addAll(List.of("--image-path", SampleFiles.bin().toString(), "-o", dir.resolve("w.duckdb").toString(), "--force"));
    args.addAll(List.of(extra));
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
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, Integer> count(String err, String prefix) {
    Map<String, Integer> count = new TreeMap<>();
    for (String line : err.split("\n")) if (line.startsWith(prefix)) count.merge(line, 1, Integer::sum);
    return count;
  }

  @Test
  void eachMissingPdbIsSaidOnce(@TempDir Path dir) throws Exception {
    String err = ingest(dir);
    assertEquals(Map.of(), count(err, "iptq: warning: "), err);
    // the summary: the four modules the recordings ran, each on one line under its heading
    List<String> summary = List.of(err.split("\n"));
    int noNames = summary.indexOf("iptq: no names for 1 module(s) the trace ran:");
    int exportsOnly = summary.indexOf("iptq: only exported names (no PDB) for 3 module(s) the trace ran:");
    assertTrue(noNames >= 0 && exportsOnly >= 0, err);
    assertTrue(summary.get(noNames + 1).startsWith("iptq:   sampapp.exe at 0x"), err);
    List<String> exported = summary.subList(exportsOnly + 1, exportsOnly + 4).stream()
        .map(l -> l.replaceAll("^iptq:   (\\S+) at .*give (\\S+) .*", "$1 $2")).toList();
    assertEquals(List.of("ntstub.sys ntstub.pdb", "sampdrv.sys sampdrv.pdb", "samplib.dll samplib.pdb"), exported, err);

    Map<String, Integer> details = count(ingest(dir, "--verbose"), "iptq: detail: ");
    assertEquals(4, details.size(), details.toString());
    for (Map.Entry<String, Integer> e : details.entrySet()) {
      assertTrue(e.getKey().contains("no PDB"), e.getKey());
      assertEquals(1, e.getValue(), e.getKey());
    }
  }
}
