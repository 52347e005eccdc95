package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.flow.FlowTestAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InsnsCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true));
      var cl = Main.commandLine();
      cl.setErr(new java.io.PrintWriter(err, true));
      int exit = cl.execute(args);
      return new Run(exit, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  @Test
  void ipOnlyListingIsTheTrueSequence() throws Exception {
    FlowTestAccess.Synth s = FlowTestAccess.synthUser(7, 3000);
    Path trace = dir.resolve("t.pt");
    Files.write(trace, s.trace());
    List<String> args = new ArrayList<>(List.of("insns", trace.toString(), "--ip-only"));
    for (String spec : s.specs()) {
      args.add("--image");
      args.add(spec);
    }
    Run r = run(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    // The instructions are the true ones; events are in ptxed's words (PtxedDropInTest checks those).
    assertEquals(instructions(s.truth()), instructions(r.out().lines().toList()));
  }

  private static List<String> instructions(List<String> lines) {
    return lines.stream().filter(l -> !l.startsWith("[")).toList();
  }

  @Test
  void listingHasCapstoneText() throws Exception {
    FlowTestAccess.Synth s = FlowTestAccess.synthUser(8, 500);
    Path trace = dir.resolve("t.pt");
    Files.write(trace, s.trace());
    List<String> args = new ArrayList<>(List.of("insns", trace.toString()));
    for (String spec : s.specs()) {
      args.add("--image");
      args.add(spec);
    }
    Run r = run(args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.err());
    List<String> lines = instructions(r.out().lines().toList());
    List<String> truth = instructions(s.truth());
    assertEquals(truth.size(), lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String want = truth.get(i);
      assertTrue(lines.get(i).startsWith(want + "  "), lines.get(i));
      assertEquals(s.text(want), lines.get(i).substring(18));
    }
  }

  @Test
  void missingTraceIsAnInputError() {
    Run r = run("insns", dir.resolve("nope.pt").toString(), "--image", "/etc/hostname@0x1000");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("nope.pt"), r.err());
  }

  /**
   * Code at 0x1000: nop; REX2 add rax, rax (APX: capstone 4 cannot decode it); nop; nop. The
   * trace enables tracing at the first nop and disables it (FUP + TIP.PGD) at the last.
   */
  private Path[] rex2Case() throws Exception {
    Path code = dir.resolve("code.bin");
    Files.write(code, new byte[] {(byte) 0x90, (byte) 0xd5, 0x08, 0x01, (byte) 0xc0, (byte) 0x90, (byte) 0x90});
    iptq.pt.PacketEncoder e = new iptq.pt.PacketEncoder();
    e.psb().modeExecBits(64).ip(iptq.pt.PacketKind.FUP, 0x1000).psbend();
    e.ip(iptq.pt.PacketKind.FUP, 0x1006).suppressed(iptq.pt.PacketKind.TIP_PGD);
    Path trace = dir.resolve("rex2.pt");
    Files.write(trace, e.toByteArray());
    return new Path[] {code, trace};
  }

  @Test
  void checkReportsWhereCapstoneDisagrees() throws Exception {
    iptq.testing.Required.that(iptq.x86.CapstoneLibrary.problem() == null, "capstone missing (libcapstone4)");
    Path[] c = rex2Case();
    Run plain = run("insns", "--no-inst", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(0, plain.exit(), plain.err());
    assertEquals(List.of("0000000000001000", "0000000000001001", "0000000000001005", "[disabled]"), plain.out().lines().toList());
    Run checked = run("insns", "--no-inst", "--check", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(0, checked.exit(), checked.err());
    List<String> lines = checked.out().lines().toList();
    assertEquals(5, lines.size(), checked.out());
    assertEquals("0000000000001001", lines.get(1));
    assertTrue(lines.get(2).matches("\\[[0-9a-f]+, 1001: check error: capstone cannot decode it\\]"), lines.get(2));
    // Quiet still checks (as ptxed), and prints only what the check found.
    Run quiet = run("insns", "-q", "--check", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(List.of(lines.get(2)), quiet.out().lines().toList());
  }

  @Test
  void resyncOnErrorIsRefusedWithTheReason() throws Exception {
    Path[] c = rex2Case();
    Run r = run("insns", "--resync-on-error", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--resync-on-error is not supported"), r.err());
  }

  @Test
  void timingOptionsAreTakenWithEventTimeAndCheckedAsPtxedChecksThem() throws Exception {
    Path[] c = rex2Case();
    // what they change (and --event:tick) is proven against ptxed by the time-*.ptt cases of PtxedDropInTest
    Run r = run("insns", "--no-inst", "--event:time", "--mtc-freq", "3", "--cpuid-0x15.eax", "0x2", "--cpuid-0x15.ebx", "188",
        "--nom-freq", "36", "--block:keep-tcal-on-ovf", "--event:tick", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(0, r.exit(), r.err());
    Run big = run("insns", "--no-inst", "--event:time", "--mtc-freq", "256", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(2, big.exit());
    assertTrue(big.err().contains("--mtc-freq: value too big: 256"), big.err());
    Run bad = run("insns", "--no-inst", "--cpuid-0x15.eax", "x", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("--cpuid-0x15.eax: bad argument: x"), bad.err());
  }

  @Test
  void unknownCpuIsReportedAsPtxedDoes() throws Exception {
    Path[] c = rex2Case();
    Run r = run("insns", "--no-inst", "--cpu", "6/1", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("[0, 0: config error: unknown cpu]", r.out().lines().findFirst().orElse(""));
    Run bad = run("insns", "--no-inst", "--cpu", "6", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(2, bad.exit());
    Run badFilter = run("insns", "--no-inst", "--filter:addr0_cfg", "16", "--raw", c[0] + ":0x1000", "--pt", c[1].toString());
    assertEquals(2, badFilter.exit());
    assertTrue(badFilter.err().contains("--filter:addr0_cfg: value too big: 16"), badFilter.err());
  }
}
