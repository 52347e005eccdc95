package iptq.image;

import static org.junit.jupiter.api.Assertions.*;

import iptq.InputException;
import iptq.cli.ImageInfo;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageInfoTest {
  private static String info(Path p) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ImageInfo.describe(p, new PrintStream(b, true, StandardCharsets.UTF_8));
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void describesEachKind(@TempDir Path tmp) throws Exception {
    String md = info(Fixtures.path("minidump/invalid-parameter.dmp"));
    assertTrue(md.contains("14 streams"), md);
    assertTrue(md.contains("6 threads, 31 modules, 10 memory ranges"), md);
    assertTrue(md.contains("architecture 9 (AMD64), Windows 10.0.17134"), md);
    assertTrue(md.contains("0x7ff806ab0000"), md);

    String pe = info(Fixtures.path("pe/WdBoot.sys"));
    assertTrue(pe.contains("DVRT version 1: 144 import control transfer, 15 indirect control transfer"), pe);
    assertTrue(pe.contains("TimeDateStamp 0x95b838a0"), pe);
    String exe = info(Fixtures.path("pdb/CrashWithException.exe"));
    assertTrue(exe.contains("debug id F535C5FB2AE84BB8AA206C30BE566C5A1"), exe);

    KernelDumpWriter w = new KernelDumpWriter();
    w.write(w.kernelCr3(), 0xfffff80400000000L, new byte[] {(byte) 0xC3}, KernelDumpWriter.PageSize.K4)
        .module("\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400000000L, 0x1000);
    Path kd = tmp.resolve("k.dmp");
    w.write(kd, KernelDump.COMPLETE);
    String k = info(kd);
    assertTrue(k.contains("type 10 (complete memory (RDMP))"), k);
    assertTrue(k.contains("1 loaded modules"), k);
    assertTrue(k.contains("\\SystemRoot\\system32\\ntoskrnl.exe"), k);

    Path junk = Files.write(tmp.resolve("junk.bin"), new byte[] {1, 2, 3});
    assertFalse(ImageInfo.handles(junk));
    assertThrows(InputException.class, () -> info(junk));
    InputException e = assertThrows(InputException.class, () -> info(Fixtures.path("minidump/invalid-range.dmp")));
    assertTrue(e.getMessage().contains("invalid-range.dmp"));
  }
}
