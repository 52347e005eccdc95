package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code iptq packets}: the ptdump-style listing, errors and resync, exit codes. */
class PacketsCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err));
      int exit = cl.execute(args);
      return new Run(exit, bytes.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(old);
    }
  }

  @Test
  void listsPacketsLikePtdump() throws Exception {
    byte[] t = new PacketEncoder().psb().ip(PacketKind.FUP, 0xfffff80012345678L).modeExec(1).tsc(0x1234)
        .psbend().tnt(3, 0b101).ip(PacketKind.TIP, 0xfffff8001234abcdL).pad().raw(0xc9, 0x00)
        .psb().psbend().raw(0x19, 1).toByteArray();
    Path f = dir.resolve("t.pt");
    Files.write(f, t);
    Run r = run("packets", f.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(String.join("\n",
        "0000000000000000  psb",
        "0000000000000010  fup        3: fffff80012345678",
        "0000000000000017  mode.exec  cs.l",
        "0000000000000019  tsc        1234",
        "0000000000000021  psbend",
        "0000000000000023  tnt.8      !.!",
        "0000000000000024  tip        1: ????????????abcd",
        "0000000000000027  pad",
        "[28: error decoding packet: unknown opcode]",
        "000000000000002a  psb",
        "000000000000003a  psbend",
        ""), r.out());
    // ptdump stops at a packet cut by the end of the trace without a word; iptq says so on stderr
    assertEquals("iptq packets: " + f + ": the trace ends inside a packet at offset 0x3c (trace ends inside a tsc packet);"
        + " ptdump stops there without a word\n", r.err());

    Run quiet = run("packets", "--no-offset", "--no-pad", "--no-timing", "--lastip", f.toString());
    assertTrue(quiet.out().startsWith("psb\nfup        3: fffff80012345678       ip   fffff80012345678\nmode.exec  cs.l\npsbend\n"),
        quiet.out());
    assertTrue(quiet.out().contains("tip        1: ????????????abcd       ip   fffff8001234abcd\n[28:"), quiet.out());
  }

  @Test
  void timeColumnShowsEstimates() throws Exception {
    byte[] t = new PacketEncoder().psb().tsc(1000).tma(0x10, 4).psbend().mtc(0x03).toByteArray();
    Path f = dir.resolve("time.pt");
    Files.write(f, t);
    Run r = run("packets", "--time", "--cpuid-0x15.eax", "2", "--cpuid-0x15.ebx", "5", "--mtc-freq", "3", f.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("mtc        3                         tsc  00000000000003f8\n"), r.out());
  }

  @Test
  void badFilesExitOne() {
    Run missing = run("packets", dir.resolve("nope.pt").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("nope.pt: no such file"), missing.err());
    Run directory = run("packets", dir.toString());
    assertEquals(1, directory.exit());
    assertTrue(directory.err().contains("is a directory, not a trace file"), directory.err());
  }

  @Test
  void emptyAndPsbLessFiles() throws Exception {
    Path empty = dir.resolve("empty.pt");
    Files.write(empty, new byte[0]);
    Run r = run("packets", empty.toString());
    assertEquals(0, r.exit());
    assertEquals("", r.out());
    Path junk = dir.resolve("junk.pt");
    Files.write(junk, new byte[] {1, 2, 3});
    Run j = run("packets", junk.toString());
    assertEquals(0, j.exit());
    assertEquals("", j.out()); // as ptdump
    assertEquals("iptq packets: " + junk + ": no PSB in 3 bytes of trace; ptdump prints nothing\n", j.err());
  }
}
