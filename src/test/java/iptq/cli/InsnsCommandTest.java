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
}
