package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.sample.SampleFiles;
import iptq.store.KnownTrace;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command's exit codes, as the README gives them: 0 success, 1 bad input or bad SQL (one
 * line, no stack trace), 2 usage errors. Each row: the arguments, the exit code, and a piece of
 * the one line on stderr that says what was wrong.
 */
class ExitCodesTest {
  @TempDir static Path dir;
  static String db, pt, etl, dmp, pom, folder;

  @BeforeAll
  static void files() throws Exception {
    db = KnownTrace.build(dir).toString();
    Path p = dir.resolve("t.pt");
    try (OutputStream out = Files.newOutputStream(p)) {
      PacketEncoder e = new PacketEncoder();
      e.psb().ip(PacketKind.FUP, 0x401000).psbend().tnt8(3, 5);
      e.drainTo(out);
    }
    pt = p.toString();
    etl = SampleFiles.data().resolve("kernel-syscall.etl").toString();
    dmp = SampleFiles.data().resolve("kernel.dmp").toString();
    pom = SampleFiles.data().resolve("../../pom.xml").normalize().toString();
    folder = dir.toString();
  }

  static String out(String name) {
    return dir.resolve(name).toString();
  }

  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    // the top level
    c.add(row(0, "", "--version"));
    c.add(row(0, "", "--help"));
    c.add(row(2, "Unmatched argument at index 0: 'reprot'", "reprot"));
    c.add(row(2, "Unknown option: '--bogus'", "--bogus"));
    for (String cmd : List.of("ingest", "info", "profile", "packets", "insns", "sql", "report", "export", "sample", "demo")) {
      c.add(row(0, "", cmd, "--help"));
      // picocli may name a missing parameter first; either way a usage error
      c.add(row(2, "", cmd, "--bogus"));
    }
    // ingest
    c.add(row(2, "Missing required parameter: 'TRACE'", "ingest"));
    c.add(row(1, "nope.etl: no such file", "ingest", "nope.etl", "-o", out("a.duckdb")));
    c.add(row(1, ": is a directory, not a trace file", "ingest", folder, "-o", out("a.duckdb")));
    c.add(row(1, pom + ": offset 0x0: not an .etl, ipt.sys or raw Intel PT trace: no ETW buffer header", "ingest", pom, "-o", out("a.duckdb")));
    c.add(row(1, "a kernel dump, not a trace", "ingest", dmp, "-o", out("a.duckdb")));
    c.add(row(1, "is a directory, not a dump file", "ingest", etl, "--dump", folder, "-o", out("a.duckdb")));
    c.add(row(1, "is a directory, not a file of code bytes", "ingest", pt, "--image", folder + "@0x1000", "-o", out("a.duckdb")));
    c.add(row(1, "/no/such/symbols: --symbols: no such directory", "ingest", etl, "--symbols", "/no/such/symbols", "-o", out("a.duckdb")));
    c.add(row(1, "/no/such/images: --image-path: no such directory", "ingest", etl, "--image-path", "/no/such/images", "-o", out("a.duckdb")));
    c.add(row(2, "--threads 0: at least 1 thread is needed", "ingest", pt, "--threads", "0", "-o", out("a.duckdb")));
    c.add(row(2, "--threads -3: at least 1 thread is needed", "ingest", pt, "--threads", "-3", "-o", out("a.duckdb")));
    c.add(row(2, "--mtc-freq is 0 to 15", "ingest", pt, "--mtc-freq", "16", "-o", out("a.duckdb")));
    c.add(row(2, "'x' is not a number", "ingest", pt, "--cpuid-0x15.eax", "x", "--cpuid-0x15.ebx", "2", "-o", out("a.duckdb")));
    c.add(row(2, "--cpuid-0x15.eax and --cpuid-0x15.ebx go together", "ingest", pt, "--cpuid-0x15.eax", "2", "-o", out("a.duckdb")));
    c.add(row(0, "", "ingest", pt, "--threads", "1", "-o", out("ok.duckdb")));
    c.add(row(1, "ok.duckdb: already exists", "ingest", pt, "-o", out("ok.duckdb")));
    // info
    c.add(row(2, "Missing required parameter: 'FILE'", "info"));
    c.add(row(1, "is a directory, not a file", "info", folder));
    c.add(row(1, "not an .etl, ipt.sys or raw Intel PT trace, dump, PE image or PDB: " + pom, "info", pom));
    c.add(row(0, "", "info", pt));
    c.add(row(2, "--format goes with --list-segments or --list-symbols", "info", pt, "--format", "csv"));
    c.add(row(2, "--list-segments or --list-symbols, not both", "info", pt, "--list-segments", "--list-symbols"));
    c.add(row(1, "--list-segments lists the IPT segments of an .etl or ipt.sys trace", "info", pt, "--list-segments"));
    c.add(row(2, "--format xml: table or csv", "info", etl, "--list-segments", "--format", "xml"));
    // profile
    c.add(row(2, "--code-mode, --buffer and --event are required", "profile"));
    // packets and insns
    c.add(row(2, "Missing required parameter: 'TRACE.pt[:FROM[-TO]]'", "packets"));
    c.add(row(1, "no such file", "packets", out("nope.pt")));
    c.add(row(1, "an ETW trace (.etl), not a raw Intel PT trace: iptq packets lists one raw trace, or one segment of this one with --segment N", "packets", etl));
    c.add(row(1, "a kernel dump, not a raw Intel PT trace", "packets", dmp));
    c.add(row(2, "--mtc-freq: value too big: 256", "packets", pt, "--mtc-freq", "256"));
    c.add(row(2, "specify either --time or --tcal", "packets", pt, "--time", "--tcal"));
    c.add(row(2, "--cpu: cpu must be specified as f/m[/s], not 6", "packets", pt, "--cpu", "6"));
    c.add(row(2, "ptdump's sideband options (--sb*, --pevent*) are for Linux perf sideband", "packets", pt, "--sb"));
    c.add(row(0, "", "packets", pt));
    c.add(row(2, "no code: give --raw FILE:BASE (or --image FILE@ADDR)", "insns", pt));
    c.add(row(1, "an ETW trace (.etl), not a raw Intel PT trace: iptq insns lists one raw trace, or one segment of this one with --segment N", "insns", etl, "--image", pt + "@0x1000"));
    // sql
    c.add(row(2, "Missing required parameter: 'DB'", "sql"));
    c.add(row(1, "nope.duckdb: no such file", "sql", out("nope.duckdb"), "SELECT 1"));
    c.add(row(1, "is a directory, not a database file", "sql", folder, "SELECT 1"));
    c.add(row(1, "Binder Error", "sql", "__DB__", "SELECT nope FROM segments"));
    c.add(row(2, "unknown format 'xml'", "sql", "__DB__", "SELECT 1", "--format", "xml"));
    c.add(row(0, "", "sql", "__DB__", "SELECT 1"));
    // report
    c.add(row(0, "", "report", "--list"));
    c.add(row(2, "which database? iptq report functions-before DB", "report", "functions-before"));
    c.add(row(1, "no report called 'fnctions-before' (did you mean 'functions-before'?)", "report", "fnctions-before", "__DB__"));
    c.add(row(2, "--param last: expected NAME=VALUE", "report", "functions-before", "__DB__", "-p", "last"));
    c.add(row(1, "--param last=abc: expected a whole number", "report", "functions-before", "__DB__", "-p", "last=abc"));
    c.add(row(1, "--param by=visitz: expected one of instructions, visits (did you mean 'visits'?)", "report", "hot-functions", "__DB__", "-p", "by=visitz"));
    c.add(row(1, "--param problems_only=maybe: expected true or false", "report", "decode-health", "__DB__", "-p", "problems_only=maybe"));
    c.add(row(1, "has no parameter 'lst' (did you mean 'last'?)", "report", "functions-before", "__DB__", "-p", "lst=3"));
    c.add(row(1, "--param b=99: no such segment (segment_id 1 to 7)", "report", "segment-diff", "__DB__", "-p", "a=1", "-p", "b=99"));
    c.add(row(1, "needs --param b=...", "report", "segment-diff", "__DB__", "-p", "a=1"));
    c.add(row(2, "--format parquet needs -o FILE", "report", "hot-functions", "__DB__", "--format", "parquet"));
    c.add(row(2, "unknown format 'xml'", "report", "hot-functions", "__DB__", "--format", "xml"));
    c.add(row(0, "", "report", "functions-before", "__DB__", "-p", "last=2"));
    c.add(row(0, "no segment has trigger 'SysCallExit' (did you mean 'SystemCallExit'?); the triggers there are: CSwitch, SystemCallExit",
        "report", "functions-before", "__DB__", "-p", "trigger=SysCallExit"));
    // export
    c.add(row(2, "Missing required options: '--format=FMT', '--output=FILE'", "export", "__DB__", "branches"));
    c.add(row(2, "--max-segments must be at least 1", "export", "__DB__", "-f", "chrome-trace", "--max-segments", "0", "-o", out("x.json")));
    c.add(row(2, "--max-segments goes with chrome-trace, speedscope and folded", "export", "__DB__", "branches", "-f", "csv",
        "--max-segments", "5", "-o", out("x.csv")));
    c.add(row(1, "no table or view called 'brnches' (did you mean 'branches'?)", "export", "__DB__", "brnches", "-f", "csv", "-o", out("x.csv")));
    c.add(row(2, "unknown export format 'xml'", "export", "__DB__", "branches", "-f", "xml", "-o", out("x.xml")));
    c.add(row(0, "", "export", "__DB__", "branches", "-f", "csv", "-o", out("b.csv")));
    // sample
    c.add(row(2, "Missing required option: '--output=DIR'", "sample"));
    c.add(row(2, "--events must be 0..1000000", "sample", "-o", out("s"), "--events", "-1"));
    return c.stream();
  }

  static Arguments row(int exit, String err, String... args) {
    return Arguments.of(String.join(" ", args), exit, err, args);
  }

  @ParameterizedTest(name = "iptq {0} -> {1}")
  @MethodSource("cases")
  void exitCode(String shown, int exit, String err, String[] args) {
    String[] a = args.clone();
    for (int i = 0; i < a.length; i++) if (a[i].equals("__DB__")) a[i] = db;
    Cli r = Cli.run(a);
    assertEquals(exit, r.exit(), "iptq " + shown + "\nstderr: " + r.err());
    assertTrue(r.err().contains(err), "iptq " + shown + "\nstderr: " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    if (exit == 1 && !err.contains("Error")) { // DuckDB's SQL errors keep their LINE and caret lines
      assertTrue(r.err().startsWith("iptq: "), r.err());
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }
    if (exit == 2) assertTrue(r.err().contains("--help' for more information"), r.err());
  }
}
