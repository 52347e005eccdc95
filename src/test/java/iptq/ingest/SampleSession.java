package iptq.ingest;

import iptq.cli.Main;
import iptq.sample.SampleGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sample session (the bundled one in sample/data, or one {@code iptq sample} writes with another
 * seed) and ingest runs over it as a user types them, stdout and stderr captured: ingest prints
 * its warnings and its summary of what was missing on stderr.
 */
public record SampleSession(Path data, Path bin) {
  public static final List<String> RECORDINGS = List.of("kernel-syscall", "userkernel-both", "kernel-cswitch");

  public static SampleSession bundled() {
    return new SampleSession(Path.of("sample", "data"), Path.of("sample", "bin"));
  }

  /** A new session made by the project's own writers (ETL, dumps) over the sample's PE/PDB files. */
  public static SampleSession generate(Path dir, long seed, int events) throws IOException {
    SampleGenerator.generate(Path.of("sample", "bin"), dir, new SampleGenerator.Options(seed, events));
    return new SampleSession(dir, Path.of("sample", "bin"));
  }

  public record Run(int exit, String out, String err) {}

  public Path etl(String recording) {
    return data.resolve(recording + ".etl");
  }

  public Path dump(String recording) {
    return data.resolve(recording + "-sampapp.dmp");
  }

  public Path kernelDump() {
    return data.resolve("kernel.dmp");
  }

  public Path truth() {
    return data.resolve("truth.txt.gz");
  }

  /** Every recording, every dump, the PE files and the PDBs: the README's walk-through. */
  public Run ingestAll(Path db, String... moreOptions) {
    List<String> a = new ArrayList<>(List.of("ingest"));
    for (String r : RECORDINGS) a.add(etl(r).toString());
    a.addAll(List.of("--dump", kernelDump().toString()));
    for (String r : RECORDINGS) a.addAll(List.of("--dump", dump(r).toString()));
    a.addAll(List.of("--image-path", bin.toString(), "--symbols", bin.toString(), "-o", db.toString()));
    a.addAll(List.of(moreOptions));
    return iptq(a.toArray(new String[0]));
  }

  public static Run iptq(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var cl = Main.commandLine();
    PrintWriter o = new PrintWriter(out, true), e = new PrintWriter(err, true);
    cl.setOut(o);
    cl.setErr(e);
    PrintStream oldOut = System.out, oldErr = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      int code = cl.execute(args);
      o.flush();
      e.flush();
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
