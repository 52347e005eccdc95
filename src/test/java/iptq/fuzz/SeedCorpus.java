package iptq.fuzz;

import iptq.etl.EtlWriter;
import iptq.etl.EventData;
import iptq.etl.IptOption;
import iptq.etl.KernelPayloads;
import iptq.image.CodeViewRecord;
import iptq.image.KernelDump;
import iptq.image.KernelDumpWriter;
import iptq.image.MinidumpWriter;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The fuzz targets' seed corpus, made reproducibly from the real fixtures, the bundled sample and
 * iptq's own writers: small, well-formed inputs of every structure the readers know, so that the
 * fuzzer starts deep inside each format. {@code SeedCorpusTest} checks that the committed seeds
 * are these; {@code main} writes them (see docs/bad-input.md).
 */
public final class SeedCorpus {
  private SeedCorpus() {}

  /** The committed inputs of one target: {@code src/test/resources/iptq/fuzz/ReaderFuzzTestInputs/TARGET}. */
  static Path dir(Path project, String target) {
    return project.resolve("src/test/resources/iptq/fuzz/ReaderFuzzTestInputs").resolve(target);
  }

  /** Target name to (seed file name to bytes). */
  static Map<String, Map<String, byte[]>> generate() throws IOException {
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    Path project = Fixtures.projectDir();
    Path sample = project.resolve("sample");

    Map<String, byte[]> etl = new LinkedHashMap<>();
    etl.put("seed-lxcore_kernel.etl", Files.readAllBytes(Fixtures.path("etl/lxcore_kernel.etl")));
    etl.put("seed-ipt-plain.etl", etlWithIpt(false));
    etl.put("seed-ipt-xpress.etl", etlWithIpt(true));
    all.put("etl", etl);

    Map<String, byte[]> ipt = new LinkedHashMap<>();
    ipt.put("seed-two-blocks.ipt", iptSys());
    all.put("iptSys", ipt);

    Map<String, byte[]> kind = new LinkedHashMap<>();
    kind.put("seed-etl", head(etl.get("seed-ipt-plain.etl"), 4096));
    kind.put("seed-ipt", iptSys());
    kind.put("seed-pt", trace(1));
    kind.put("seed-pe", head(Files.readAllBytes(sample.resolve("bin/samplib.dll")), 4096));
    kind.put("seed-pdb", head(Files.readAllBytes(sample.resolve("bin/sampapp.pdb")), 4096));
    kind.put("seed-minidump", minidump());
    kind.put("seed-kernel-dump", head(kernelDump(), 8192));
    all.put("fileKind", kind);

    Map<String, byte[]> packets = new LinkedHashMap<>();
    packets.put("seed-trace", trace(1));
    packets.put("seed-timing", trace(2));
    all.put("packets", packets);

    Map<String, byte[]> flow = new LinkedHashMap<>();
    flow.put("seed-branches", flowInput());
    all.put("flow", flow);

    Map<String, byte[]> md = new LinkedHashMap<>();
    md.put("seed-written.dmp", minidump());
    for (String f : new String[] {"invalid-range.dmp", "invalid-record-count.dmp"}) {
      md.put("seed-" + f, Files.readAllBytes(Fixtures.path("minidump/" + f)));
    }
    md.put("seed-sampapp.dmp", Files.readAllBytes(sample.resolve("data/kernel-syscall-sampapp.dmp")));
    all.put("minidump", md);

    Map<String, byte[]> kd = new LinkedHashMap<>();
    kd.put("seed-written.dmp", kernelDump());
    all.put("kernelDump", kd);

    Map<String, byte[]> pe = new LinkedHashMap<>();
    for (String f : new String[] {"samplib.dll", "sampapp.exe", "sampdrv.sys", "ntstub.sys"}) {
      pe.put("seed-" + f, Files.readAllBytes(sample.resolve("bin/" + f)));
    }
    pe.put("seed-WdBoot.sys", Files.readAllBytes(Fixtures.path("pe/WdBoot.sys")));
    all.put("pe", pe);

    Map<String, byte[]> pdb = new LinkedHashMap<>();
    pdb.put("seed-sampapp.pdb", Files.readAllBytes(sample.resolve("bin/sampapp.pdb")));
    pdb.put("seed-ntstub.pdb", Files.readAllBytes(sample.resolve("bin/ntstub.pdb")));
    all.put("pdb", pdb);
    return all;
  }

  private static byte[] head(byte[] b, int n) {
    return Arrays.copyOf(b, Math.min(n, b.length));
  }

  /** A short trace of most packet kinds, at {@link ReaderFuzzTest#CODE}. */
  static byte[] trace(int variant) {
    PacketEncoder e = new PacketEncoder();
    long ip = ReaderFuzzTest.CODE;
    e.psb().tsc(1000).cbr(40).modeExecBits(64).ip(PacketKind.FUP, ip).psbend();
    e.tnt8(3, 5).ip(PacketKind.TIP, ip + 0x10).tnt(20, 0xABCDE).pip(0x1000, false);
    if (variant == 2) e.mtc(3).tma(100, 5).cyc(12).ptw(7, false, true).exstop(true).mwait(1, 0).pwre(0).pwrx(0);
    e.ip(PacketKind.TIP_PGD, ip + 0x20).ip(PacketKind.TIP_PGE, ip).ovf().ip(PacketKind.FUP, ip).psb()
        .modeExecBits(32).psbend().pad().stop();
    return e.toByteArray();
  }

  /**
   * Code with a conditional branch, a call and return, an indirect jump and a {@code jmp $}, then
   * a trace that walks it: the {@code flow} target's input layout (a length byte, code, trace).
   */
  static byte[] flowInput() {
    byte[] code = {
      0x75, 0x02, // 0: jne 4
      (byte) 0x90, (byte) 0x90, // 2: nop nop
      (byte) 0xe8, 0x03, 0, 0, 0, // 4: call 0xc
      (byte) 0xff, (byte) 0xe0, // 9: jmp rax
      (byte) 0x90, // b: nop
      (byte) 0xc3, // c: ret
      (byte) 0xeb, (byte) 0xfe, // d: jmp $
      (byte) 0x90,
    };
    PacketEncoder e = new PacketEncoder();
    long ip = ReaderFuzzTest.CODE;
    e.psb().modeExecBits(64).ip(PacketKind.FUP, ip).psbend().tnt8(2, 0b11).ip(PacketKind.TIP, ip + 0xd);
    e.psb().modeExecBits(64).ip(PacketKind.FUP, ip).psbend().tnt8(1, 0).tnt8(1, 1).ip(PacketKind.TIP_PGD, ip + 9);
    byte[] t = e.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(1 + code.length + t.length);
    // FuzzedDataProvider takes the integers from the end of the input; consumeInt(0, 255) of a
    // one-byte range is the last byte.
    b.put(code).put(t).put((byte) (code.length / 2));
    return b.array();
  }

  /** An .etl with kernel events and IPT events, in plain or Xpress-compressed buffers. */
  static byte[] etlWithIpt(boolean compressed) throws IOException {
    Path f = Files.createTempFile("iptq-seed", ".etl");
    try {
      IptOption opt = IptOption.of(1, 2, 3, 0, 0, 1, false, 1);
      long base = EtlWriter.Config.defaults().headerTs();
      EtlWriter.Config cfg = EtlWriter.Config.defaults().withCpus(1).withBufferSize(8192).withCompressed(compressed);
      try (EtlWriter w = new EtlWriter(f, cfg)) {
        w.system(0, 0x0501, 3, 77, 10, base + 1, KernelPayloads.thread(8,
            new EventData.Thread(10, 77, 0, 0, 0, 0, 0, 0, 0, 0, false)));
        w.compact(0, 0x0524, 2, 77, 10, base + 5, KernelPayloads.cswitch(
            new EventData.CSwitch(77, 0, 8, 0, 0, 0, 0, 0, 0, 0)));
        w.system(0, KernelPayloads.SAMPLE_IPT_HOOK, 2, 77, 10, base + 5,
            KernelPayloads.ipt(base + 5, 10, 77, opt, 100, trace(1)));
        w.perfInfo(0, 0x0F34, 2, base + 20, KernelPayloads.systemCallExit(0));
        w.system(0, KernelPayloads.SAMPLE_IPT_HOOK, 2, 77, 10, base + 21,
            KernelPayloads.ipt(base + 20, 10, 77, opt, 10, trace(2)));
      }
      return Files.readAllBytes(f);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /** An ipt.sys trace file: one block written from the start, one wrapped. */
  static byte[] iptSys() {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    byte[] a = trace(1);
    byte[] ring = new byte[a.length + 40];
    System.arraycopy(a, 0, ring, 0, a.length);
    o.writeBytes(block(41, 1, 3, a.length, ring));
    byte[] b = trace(2);
    byte[] wrapped = new byte[b.length];
    int cut = b.length / 2;
    System.arraycopy(b, 0, wrapped, b.length - cut, cut);
    System.arraycopy(b, cut, wrapped, 0, b.length - cut);
    o.writeBytes(block(42, 0, 0, b.length - cut, wrapped));
    return o.toByteArray();
  }

  static byte[] block(long tid, int timing, int mtc, int ringOffset, byte[] ring) {
    ByteBuffer b = ByteBuffer.allocate(28 + ring.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(tid).putInt(timing).putInt(mtc).putInt(2).putInt(ringOffset).putInt(ring.length).put(ring);
    return b.array();
  }

  static byte[] minidump() {
    byte[] code = new byte[512];
    new Random(7).nextBytes(code);
    CodeViewRecord cv = new CodeViewRecord(new byte[16], 1, "C:\\build\\sampapp.pdb");
    return new MinidumpWriter().systemInfo(9, 10, 0, 19041, 2).processId(10)
        .module(new MinidumpWriter.ModuleSpec("C:\\Windows\\sampapp.exe", 0x140000000L, 0x2000, 0, 0x5f000000L, cv))
        .thread(new MinidumpWriter.ThreadSpec(77, 0x1000, 0x140001000L, 0x2000))
        .memory(0x140001000L, code).toBytes();
  }

  static byte[] kernelDump() {
    KernelDumpWriter w = new KernelDumpWriter();
    byte[] code = new byte[0x1000];
    new Random(8).nextBytes(code);
    w.write(w.kernelCr3(), 0xfffff80000001000L, code, KernelDumpWriter.PageSize.K4);
    w.module("\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80000000000L, 0x2000);
    return w.toBytes(KernelDump.LIVE_BITMAP);
  }

  /** Writes the seeds into the project (run from the project folder). */
  public static void main(String[] args) throws IOException {
    Path project = Fixtures.projectDir();
    for (var t : generate().entrySet()) {
      Path d = dir(project, t.getKey());
      Files.createDirectories(d);
      for (var s : t.getValue().entrySet()) Files.write(d.resolve(s.getKey()), s.getValue());
    }
  }
}
