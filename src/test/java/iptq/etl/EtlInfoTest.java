package iptq.etl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.cli.EtlInfo;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iptq info} on an .etl file: header, counts, processes, IPT segments and their hook. */
class EtlInfoTest {
  @TempDir Path dir;

  private static String info(Path p, int hook) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    EtlInfo.describe(p, new PrintStream(b, true, StandardCharsets.UTF_8), hook);
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void realFile() throws Exception {
    String s = info(Fixtures.path("etl/ShutdownPerfDiagLogger.etl"), -1);
    assertTrue(s.contains("PerfDiag Logger"), s);
    assertTrue(s.contains("build 18362, 2 processors"), s);
    assertTrue(s.contains("Buffers: 49 (48 generic, 1 header)"), s);
    assertTrue(s.matches("(?s).*ImageDCStart\\s+6,745.*"), s);
    assertTrue(s.matches("(?s).*perfinfo 0x1403\\s+6,549.*"), s);
    assertTrue(s.contains("Idle"), s);
    assertTrue(s.contains("IPT segments: 0"), s);
  }

  @Test
  void writtenFileWithIpt() throws Exception {
    Path f = dir.resolve("ipt.etl");
    long t0 = EtlWriter.Config.defaults().headerTs();
    byte[] trace = EtlWriterRoundTripTest.traceBytes(new java.util.Random(1), 4096, 50);
    try (EtlWriter w = new EtlWriter(f, EtlWriter.Config.defaults().withCpus(1))) {
      w.compact(0, 0x0524, 2, 7, 3, t0 + 5, KernelPayloads.cswitch(new EventData.CSwitch(7, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
      w.system(0, KernelPayloads.SAMPLE_IPT_HOOK, 2, 7, 3, t0 + 5,
          KernelPayloads.ipt(t0 + 5, 3, 7, IptOption.of(0, 0, 0, 0, 0, 0, false, 1), 10, trace));
    }
    String s = info(f, -1);
    assertTrue(s.contains("IPT segments: 1 (4,096 bytes; 4096 to 4096 bytes each; 1 wrapped, 0 not; 40 bytes"), s);
    assertTrue(s.matches("(?s).*CSwitch\\s+1.*"), s);
    assertTrue(s.contains("hook 0x2C20: 1 IPT-shaped events, 1 taken as IPT (by structure), 1 linked"), s);
  }
}
