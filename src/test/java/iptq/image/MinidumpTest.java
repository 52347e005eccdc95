package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import iptq.InputException;
import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MinidumpTest {
  @Test
  void realCrashDumpMatchesTheFixturesReadme() {
    try (Minidump d = Minidump.open(Fixtures.path("minidump/invalid-parameter.dmp"))) {
      assertEquals(14, d.streams().size());
      assertEquals(6, d.threads().size());
      assertEquals(31, d.modules().size());
      Minidump.Module m0 = d.modules().get(0), m1 = d.modules().get(1), m2 = d.modules().get(2);
      assertEquals("c:\\build\\CrashTest\\x64\\Debug\\CrashTest.exe", m0.name());
      assertEquals(0x7ff61bc80000L, m0.base());
      assertEquals(0x191000L, m0.size());
      assertEquals("C:\\Windows\\System32\\ntdll.dll", m1.name());
      assertEquals(0x7ff806ab0000L, m1.base());
      assertEquals(0x1e1000L, m1.size());
      assertEquals("C:\\Windows\\System32\\kernel32.dll", m2.name());
      assertEquals(0x7ff805450000L, m2.base());
      assertEquals(0xb2000L, m2.size());
      assertEquals(1, d.streams().stream().filter(s -> s.type() == Minidump.MEMORY_LIST).count());
      assertEquals(10, d.memory().size());
      assertEquals(9, d.systemInfo().processorArchitecture());
      assertEquals(10, d.systemInfo().majorVersion());
      assertEquals(17134, d.systemInfo().buildNumber());
      // The crashing program's own PDB is named in its CodeView record.
      assertNotNull(m0.codeView());
      assertTrue(m0.codeView().pdbPath().endsWith("CrashTest.pdb"), m0.codeView().pdbPath());
      // Every thread's instruction pointer lies inside some module.
      for (Minidump.ThreadInfo t : d.threads()) assertNotNull(d.moduleAt(t.rip()), "rip of thread " + t.threadId());
      // The memory ranges are served as code: each range's first bytes read back from the file.
      MinidumpImage img = new MinidumpImage(d);
      for (Minidump.MemoryRange r : d.memory()) {
        byte[] got = new byte[(int) Math.min(16, r.size())];
        assertEquals(got.length, img.read(CodeImage.ANY_ASID, r.start(), got, 0, got.length));
        assertArrayEquals(d.file().bytes(r.fileOffset(), got.length, "x"), got);
        assertTrue(img.covers(r.start(), r.size()));
      }
    }
  }

  @Test
  void brokenDumpsAreRejectedNamingFileAndOffset() {
    for (String name : new String[] {"invalid-range.dmp", "invalid-record-count.dmp"}) {
      Path p = Fixtures.path("minidump/" + name);
      InputException e = assertThrows(InputException.class, () -> Minidump.open(p).close());
      assertEquals(p, e.file());
      assertTrue(e.offset() >= 0, e.getMessage());
      assertTrue(e.getMessage().contains(name) && e.getMessage().contains("offset 0x"), e.getMessage());
    }
  }

  @Test
  void everyTruncationAndManyCorruptionsOfTheRealDumpGiveInputException() throws Exception {
    byte[] real = Files.readAllBytes(Fixtures.path("minidump/invalid-parameter.dmp"));
    for (int len = 0; len < real.length; len += len < 4096 ? 3 : 97) {
      byte[] cut = Arrays.copyOf(real, len);
      try {
        Minidump.of(Path.of("cut.dmp"), cut);
      } catch (InputException expected) {
        // the only acceptable failure
      }
    }
    Random rnd = new Random(5);
    for (int i = 0; i < 3000; i++) {
      byte[] bad = real.clone();
      for (int k = 0; k < 4; k++) bad[rnd.nextInt(Math.min(bad.length, 0x1800))] = (byte) rnd.nextInt();
      try {
        Minidump d = Minidump.of(Path.of("bad.dmp"), bad);
        new MinidumpImage(d).read(0, 0x7ff61bc81000L, new byte[64], 0, 64);
      } catch (InputException expected) {
        // fine
      }
    }
  }

  @Test
  void writerRoundTrip(@TempDir Path tmp) {
    byte[] code = new byte[5000];
    new Random(1).nextBytes(code);
    byte[] data = {1, 2, 3, 4, 5, 6, 7};
    CodeViewRecord cv = new CodeViewRecord(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 3, "C:\\x\\app.pdb");
    Path out = tmp.resolve("w.dmp");
    new MinidumpWriter()
        .systemInfo(9, 10, 0, 22631, 4)
        .processId(4242)
        .module(new MinidumpWriter.ModuleSpec("C:\\x\\app.exe", 0x140000000L, 0x6000, 0x1234, 0x5f000000L, cv))
        .module(new MinidumpWriter.ModuleSpec("C:\\Windows\\System32\\ntdll.dll", 0x7ffa00000000L, 0x1f0000, 7, 8, null))
        .thread(new MinidumpWriter.ThreadSpec(77, 0x1000, 0x140001010L, 0x5000))
        .memory(0x140001000L, code)
        .memory(0x7ffa00001000L, data)
        .write(out);
    try (Minidump d = Minidump.open(out)) {
      assertEquals(2, d.modules().size());
      Minidump.Module m = d.modules().get(0);
      assertEquals("C:\\x\\app.exe", m.name());
      assertEquals(0x140000000L, m.base());
      assertEquals(0x6000, m.size());
      assertEquals(0x1234, m.checkSum());
      assertEquals(0x5f000000L, m.timeDateStamp());
      assertArrayEquals(cv.guid(), m.codeView().guid());
      assertEquals(3, m.codeView().age());
      assertEquals("C:\\x\\app.pdb", m.codeView().pdbPath());
      assertEquals("0403020106050807090A0B0C0D0E0F103", m.codeView().debugId());
      assertNull(d.modules().get(1).codeView());
      assertEquals(9, d.systemInfo().processorArchitecture());
      assertEquals(22631, d.systemInfo().buildNumber());
      assertEquals(4242, d.miscInfo().processId());
      assertEquals(1, d.threads().size());
      assertEquals(0x140001010L, d.threads().get(0).rip());
      assertEquals(0x5000, d.threads().get(0).rsp());
      MinidumpImage img = new MinidumpImage(d);
      byte[] got = new byte[6000];
      assertEquals(5000, img.read(0, 0x140001000L, got, 0, 6000));
      assertArrayEquals(code, Arrays.copyOf(got, 5000));
      assertEquals(100, img.read(0, 0x140001000L + 4900, got, 0, 6000));
      assertEquals(7, img.read(0, 0x7ffa00001000L, got, 0, 100));
      assertEquals(0, img.read(0, 0x140000000L, got, 0, 100));
      assertEquals("app.exe+0x1010", img.describe(0, 0x140001010L));
      assertTrue(img.covers(0x140001000L, 5000));
      assertFalse(img.covers(0x140001000L, 5001));
    }
  }
}
