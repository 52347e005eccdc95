package iptq.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.etl.EtlEvent;
import iptq.etl.EtlFile;
import iptq.etl.IptSegment;
import iptq.etl.IptSegments;
import iptq.flow.FlowDecoder;
import iptq.flow.FlowListing;
import iptq.image.CodeImage;
import iptq.image.ExportResolver;
import iptq.image.KernelDump;
import iptq.image.KernelDumpImage;
import iptq.image.PeImage;
import iptq.image.RawImage;
import iptq.pt.PacketDecoder;
import iptq.testing.Libipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample generator against independent oracles: the interpreter computes what the natively
 * compiled C code computes; every IPT event in the written .etl files decodes — with iptq's flow
 * decoder and with Intel's libipt — to exactly the true instruction path kept beside the sample;
 * the files are a function of the seed.
 */
class SampleGeneratorTest {
  @TempDir static Path dir;
  static SampleGenerator.Summary summary;
  static Truth truth;

  @BeforeAll
  static void generate() throws IOException {
    summary = SampleGenerator.generate(Path.of("sample", "bin"), dir.resolve("a"),
        new SampleGenerator.Options(SampleGenerator.Options.DEFAULT_SEED, 40));
    truth = Truth.read(dir.resolve("a").resolve("truth.txt.gz"));
  }

  @Test
  void interpreterComputesWhatTheNativeCodeComputes() throws Exception {
    List<Integer> want = NativeSample.exitCodes(summary.processes());
    assertEquals(want, summary.exitCodes());
    // Runs after the first find the driver initialized and its CRC table built: a different path.
    assertTrue(summary.processes() >= 3);
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
    Path b = dir.resolve("b");
    SampleGenerator.generate(Path.of("sample", "bin"), b, new SampleGenerator.Options(SampleGenerator.Options.DEFAULT_SEED, 40));
    for (Path f : summary.files()) {
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(f.getFileName())), f.getFileName().toString());
    }
    Path c = dir.resolve("c");
    SampleGenerator.generate(Path.of("sample", "bin"), c, new SampleGenerator.Options(8, 40));
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/kernel-syscall.etl")),
        Files.readAllBytes(c.resolve("kernel-syscall.etl"))));
  }

  /** The IPT segments of every recording, as the ETL reader finds them. */
  static List<IptSegment> segments(Path etl) throws IOException {
    List<IptSegment> segs = new ArrayList<>();
    try (EtlFile in = EtlFile.open(etl)) {
      IptSegments ipt = new IptSegments(in.header(), -1);
      while (in.hasMoreEvents()) {
        EtlEvent e = in.readEvent();
        ipt.accept(e).ifPresent(segs::add);
      }
    }
    return segs;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  static List<RawImage.Section> sections(Path out) throws IOException {
    // The code as in memory: the minidump's and the kernel dump's bytes are these same images.
    SampleImages images = new SampleImages(Path.of("sample", "bin"), new Random(SampleGenerator.Options.DEFAULT_SEED));
    List<RawImage.Section> s = new ArrayList<>();
    for (SampleImages.Module m : images.all()) s.add(new RawImage.Section(m.base(), m.bytes(), m.name()));
    images.close();
    s.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
    return s;
  }

  static List<Long> ips(List<String> lines) {
    List<Long> ips = new ArrayList<>();
    for (String l : lines) {
      if (l.length() >= 16 && l.substring(0, 16).matches("[0-9a-f]{16}")) ips.add(Long.parseUnsignedLong(l.substring(0, 16), 16));
    }
    return ips;
  }

  /** Decoded IPs must be the true path FROM..TO, possibly followed by the stream's next instructions. */
  static void assertTruePath(Truth.Segment s, List<Long> got, String who) {
    long[] want = truth.path(s);
    for (int i = 0; i < got.size(); i++) {
      long w = truth.ip(s.stream(), s.from() + i);
      if (w == -1) break;
      assertEquals(Long.toHexString(w), Long.toHexString(got.get(i)), who + " " + s + ": instruction " + i);
    }
    assertTrue(got.size() >= want.length, who + " " + s + ": decoded " + got.size() + " of " + want.length);
  }

  @Test
  void everyIptEventDecodesToTheTruePath() throws Exception {
    List<RawImage.Section> code = sections(dir.resolve("a"));
    // RawImage sorts sections by signed address and refuses user + kernel halves; look up ourselves.
    CodeImage image = new CodeImage() {
      @Override
      public int read(long asid, long address, byte[] dst, int off, int len) {
        for (RawImage.Section s : code) {
          long d = address - s.start();
          if (Long.compareUnsigned(d, s.bytes().length) < 0) {
            int n = (int) Math.min(len, s.bytes().length - d);
            System.arraycopy(s.bytes(), (int) d, dst, off, n);
            return n;
          }
        }
        return 0;
      }

      @Override
      public String describe(long asid, long address) {
        return "sample";
      }
    };
    Path h = Libipt.harness("ptxed_harness");
    List<String> raw = new ArrayList<>();
    for (RawImage.Section s : code) {
      Path f = dir.resolve(s.name() + ".bin");
      Files.write(f, s.bytes());
      raw.add(f + "@0x" + Long.toHexString(s.start()));
    }
    int checked = 0;
    Set<String> kinds = new HashSet<>();
    for (SampleGenerator.Recording rec : SampleGenerator.RECORDINGS) {
      List<IptSegment> segs = segments(dir.resolve("a").resolve(rec.name() + ".etl"));
      List<Truth.Segment> want = truth.segments().stream().filter(t -> t.file().equals(rec.name() + ".etl")).toList();
      assertEquals(want.size(), segs.size(), rec.name());
      for (int i = 0; i < segs.size(); i++) {
        IptSegment seg = segs.get(i);
        Truth.Segment t = want.get(i);
        assertEquals(t.trigger(), seg.trigger());
        assertEquals(t.tid(), seg.tid());
        assertEquals(t.wrapped(), seg.wrapped());
        assertEquals(rec.bufferKiB() * 1024, seg.bufferSize());
        kinds.add(rec.name() + "/" + t.trigger() + "/" + (t.wrapped() ? "wrapped" : "whole"));
        byte[] trace = bytes(seg.data());
        List<String> lines = new ArrayList<>();
        new FlowDecoder(new PacketDecoder(trace), image, new FlowListing(l -> lines.add(l.toString()), null)).decode();
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("[error")), () -> t + ": " + lines.stream().filter(l -> l.startsWith("[error")).findFirst().get());
        assertTruePath(t, ips(lines), "iptq");
        if (h != null) {
          Path tf = dir.resolve("seg.pt");
          Files.write(tf, trace);
          List<String> cmd = new ArrayList<>(List.of(h.toString()));
          for (String r : raw) {
            cmd.add("--raw");
            cmd.add(r);
          }
          cmd.add(tf.toString());
          List<String> lib = Libipt.run(cmd).lines().toList();
          assertFalse(lib.stream().anyMatch(l -> l.startsWith("[error")), () -> t + " libipt: " + lib.stream().filter(l -> l.startsWith("[error")).findFirst().get());
          assertTruePath(t, ips(lib), "libipt");
        }
        checked++;
      }
    }
    assertEquals(40, checked);
    // The shapes the issue asks for are all there.
    assertTrue(kinds.containsAll(List.of("kernel-syscall/SystemCallExit/wrapped", "kernel-syscall/SystemCallExit/whole",
        "userkernel-both/SystemCallExit/wrapped", "userkernel-both/SystemCallExit/whole",
        "kernel-cswitch/CSwitch/whole", "kernel-cswitch/SystemCallExit/whole")), kinds.toString());
    assertTrue(kinds.stream().anyMatch(k -> k.startsWith("userkernel-both/CSwitch/")), kinds.toString());
  }

  @Test
  void kernelDumpHoldsTheDriverAsTheKernelRewroteIt() throws Exception {
    SampleImages images = new SampleImages(Path.of("sample", "bin"), new Random(SampleGenerator.Options.DEFAULT_SEED));
    SampleImages.Module drv = images.sampdrv;
    ExportResolver r = new ExportResolver().add("ntstub.sys", images.ntstub.pe(), images.ntstub.base());
    PeImage mem = new PeImage(drv.pe(), drv.base(), r, PeImage.Options.MEMORY);
    assertTrue(mem.rewrittenSites().size() >= 5, "import call sites: " + mem.rewrittenSites().size());
    try (KernelDump kd = KernelDump.open(dir.resolve("a").resolve("kernel.dmp"))) {
      KernelDumpImage img = new KernelDumpImage(kd);
      for (PeImage.RewrittenSite site : mem.rewrittenSites()) {
        byte[] b = new byte[12];
        assertEquals(12, img.read(CodeImage.ANY_ASID, site.address(), b, 0, 12));
        // mov r10, [__imp_X] ; call X  -- not the file's 48 FF 15 rel32 + 5-byte NOP
        assertEquals(0x4C, b[0] & 0xFF);
        assertEquals(0x8B, b[1] & 0xFF);
        assertEquals(0x15, b[2] & 0xFF);
        assertEquals(0xE8, b[7] & 0xFF);
        long target = site.address() + 12 + java.nio.ByteBuffer.wrap(b, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(site.target(), target);
      }
    }
    images.close();
  }

  @Test
  void withoutTheRewriteTheDriverDoesNotDecode() throws Exception {
    // The same kernel segments over the driver's file bytes (relocated, no DVRT emulation): the
    // first import call is an indirect call with no TIP in the trace, so decoding breaks.
    SampleImages images = new SampleImages(Path.of("sample", "bin"), new Random(SampleGenerator.Options.DEFAULT_SEED));
    ExportResolver r = new ExportResolver().add("ntstub.sys", images.ntstub.pe(), images.ntstub.base());
    PeImage fileDrv = new PeImage(images.sampdrv.pe(), images.sampdrv.base(), r, PeImage.Options.FILE_BYTES);
    PeImage memDrv = new PeImage(images.sampdrv.pe(), images.sampdrv.base(), r, PeImage.Options.MEMORY);
    SampleImages.Module nt = images.ntstub;
    int broken = 0, whole = 0;
    List<IptSegment> segs = segments(dir.resolve("a").resolve("kernel-syscall.etl"));
    for (IptSegment seg : segs) {
      byte[] trace = bytes(seg.data());
      for (PeImage drv : List.of(fileDrv, memDrv)) {
        CodeImage code = new CodeImage() {
          @Override
          public int read(long asid, long address, byte[] dst, int off, int len) {
            if (drv.contains(address)) return drv.read(asid, address, dst, off, len);
            if (nt.contains(address)) {
              int d = (int) (address - nt.base());
              int n = Math.min(len, nt.bytes().length - d);
              System.arraycopy(nt.bytes(), d, dst, off, n);
              return n;
            }
            return 0;
          }

          @Override
          public String describe(long asid, long address) {
            return "";
          }
        };
        List<String> lines = new ArrayList<>();
        new FlowDecoder(new PacketDecoder(trace), code, new FlowListing(l -> lines.add(l.toString()), null)).decode();
        boolean errors = lines.stream().anyMatch(l -> l.startsWith("[error"));
        if (drv == fileDrv && errors) broken++;
        if (drv == memDrv && !errors) whole++;
      }
    }
    images.close();
    assertEquals(segs.size(), whole);
    assertEquals(segs.size(), broken);
  }
}
