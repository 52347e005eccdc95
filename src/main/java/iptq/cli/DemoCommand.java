package iptq.cli;

import iptq.InputException;
import iptq.sample.SampleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code iptq demo}: what a new user would type, run on the bundled sample — {@code iptq info}
 * on each recording (highlights), {@code iptq ingest} of the recordings with their dumps and
 * PDBs into a temporary database, then the {@code functions-before} report for SystemCallExit
 * and {@code decode-health}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Ingest the bundled sample (sample/data: three WPR-style recordings of sampapp.exe with",
      "IPT on SystemCallExit and CSwitch, a live kernel dump and process dumps) into a",
      "temporary database and show what iptq finds: the functions that ran before each",
      "system call exit, and the decode health of every segment."
    })
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--last", defaultValue = "5", paramLabel = "N",
      description = "Functions to show before each event (default: ${DEFAULT-VALUE}).")
  int last;

  @Option(names = {"-o", "--output"}, paramLabel = "DB",
      description = "Keep the database here (default: a temporary one, deleted at the end).")
  Path keep;

  @Option(names = "--force", description = "Overwrite the database given with -o if it exists.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    Path data = SampleFiles.data();
    Path bin = SampleFiles.bin();
    if (!Files.isDirectory(data)) throw new InputException(data, -1, "the bundled sample is missing");
    // The same rule as ingest: an existing database is kept unless --force says otherwise, and
    // before any work is done.
    if (keep != null && Files.exists(keep) && !force) {
      throw new InputException(keep.toAbsolutePath(), -1, "already exists (use --force to overwrite)");
    }
    List<Path> etls = files(data, ".etl");
    List<Path> dumps = files(data, ".dmp");
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Path tmp = Files.createTempDirectory("iptq-demo");
    Path db = keep != null ? keep : tmp.resolve("sample.duckdb");
    try {
      out.println("iptq demo: the bundled sample in " + rel(data));
      for (Path etl : etls) {
        out.println();
        out.println("$ iptq info " + rel(etl) + "   (highlights)");
        highlights(etl, out);
      }
      List<String> ingest = new ArrayList<>(List.of("ingest"));
      for (Path e : etls) ingest.add(e.toString());
      for (Path d : dumps) {
        ingest.add("--dump");
        ingest.add(d.toString());
      }
      ingest.addAll(List.of("--image-path", bin.toString(), "--symbols", bin.toString(), "-o", db.toString()));
      if (keep != null && force) ingest.add("--force");
      out.println();
      out.println("$ iptq ingest sample/data/*.etl --dump sample/data/*.dmp --image-path sample/bin"
          + " --symbols sample/bin -o " + (keep != null ? keep : "sample.duckdb"));
      out.flush();
      run(out, ingest.toArray(new String[0]));
      out.println();
      out.println("$ iptq report functions-before sample.duckdb -p trigger=SystemCallExit -p last=" + last);
      out.flush();
      run(out, "report", "functions-before", db.toString(), "-p", "trigger=SystemCallExit", "-p", "last=" + last);
      out.println();
      out.println("$ iptq report decode-health sample.duckdb");
      out.flush();
      run(out, "report", "decode-health", db.toString());
      out.printf("%nDone in %.1f s. Try next:%n", (System.nanoTime() - t0) / 1e9);
      String kept = keep != null ? keep.toString() : "sample.duckdb";
      String how = keep != null ? "" : "   # after: iptq demo -o sample.duckdb";
      out.println("  iptq report call-tree " + kept + how);
      out.println("  iptq sql " + kept + " \"SELECT function, module, sum(insns) FROM function_runs GROUP BY ALL ORDER BY 3 DESC\"");
      out.println("  iptq sample -o /tmp/mysample --seed 42 --events 200   # a bigger session, with its truth");
      out.flush();
      return 0;
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static List<Path> files(Path dir, String ext) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(ext)).sorted().toList();
    }
  }

  private static String rel(Path p) {
    Path cwd = Path.of("").toAbsolutePath();
    Path a = p.toAbsolutePath();
    return a.startsWith(cwd) ? cwd.relativize(a).toString() : a.toString();
  }

  /** The lines of {@code iptq info} a first look needs: what, when, how many, which segments. */
  private static void highlights(Path etl, PrintWriter out) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      EtlInfo.describe(etl, ps);
    }
    boolean triggers = false;
    for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
      String t = line.trim();
      if (triggers && line.startsWith("    ")) {
        out.println(line);
        continue;
      }
      triggers = t.startsWith("triggers:");
      if (t.startsWith("Windows") || t.startsWith("start") || t.startsWith("Events:") || t.startsWith("Processes:")
          || t.startsWith("IPT segments:") || triggers || t.startsWith("hook 0x")) {
        out.println(line);
      }
    }
  }

  /** Runs an iptq command as the user would; its failure is the demo's failure. */
  private void run(PrintWriter out, String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(out);
    cl.setErr(spec.commandLine().getErr());
    int rc = cl.execute(args);
    out.flush();
    if (rc != 0) throw new IllegalStateException("iptq " + args[0] + " failed (exit " + rc + ")");
  }
}
