package iptq.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import iptq.cli.EtlInfo;
import iptq.cli.ImageInfo;
import iptq.cli.PdbInfo;
import iptq.etl.IptSegment;
import iptq.etl.IptSysFile;
import iptq.flow.BranchKind;
import iptq.flow.FlowDecoder;
import iptq.flow.FlowSink;
import iptq.image.BinFile;
import iptq.image.ImportResolver;
import iptq.image.KernelDump;
import iptq.image.KernelDumpImage;
import iptq.image.Minidump;
import iptq.image.MinidumpImage;
import iptq.image.PeFile;
import iptq.image.PeImage;
import iptq.image.RawImage;
import iptq.ingest.EtlSource;
import iptq.ingest.EtlTables;
import iptq.ingest.FileKind;
import iptq.pt.Packet;
import iptq.pt.PacketClock;
import iptq.pt.PacketDecoder;
import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One coverage-guided fuzz target per reader (Jazzer). Under {@code ./mvnw verify} each runs in
 * regression mode over its committed inputs in {@code ReaderFuzzTestInputs/<target>/} (the seed
 * corpus that {@link SeedCorpus} generates, and every finding kept); {@code JAZZER_FUZZ=1}
 * fuzzes one of them (see docs/bad-input.md). Each asserts the readers' contract ({@link
 * Contract}): it returns, or throws iptq's InputException naming the file and an offset.
 */
class ReaderFuzzTest {
  /** How long {@code JAZZER_FUZZ=1} fuzzes a target unless told otherwise (docs/bad-input.md). */
  static final String MAX_DURATION = "10m";

  private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

  /** The readers that take a path read this file, rewritten for each input. */
  private static Path scratch(String suffix, byte[] data) {
    try {
      Path p = SCRATCH.resolve("input" + suffix);
      Files.write(p, data);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Path SCRATCH;

  static {
    try {
      SCRATCH = Files.createTempDirectory("iptq-fuzz");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var s = Files.list(SCRATCH)) {
          for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
          Files.deleteIfExists(SCRATCH);
        } catch (IOException ignored) {
          // a temporary folder; nothing to save
        }
      }));
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void etl(byte[] data) {
    Path p = scratch(".etl", data);
    Contract.holds(p, () -> {
      List<Object> rows = new ArrayList<>();
      EtlSource.read(p, -1, new EtlTables(1, 0, 0, null, rows::add, null, rows::add), s -> packets(s.data()));
    });
    Contract.holds(p, () -> EtlInfo.describe(p, NOWHERE));
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void iptSys(byte[] data) {
    Path p = scratch(".ipt", data);
    Contract.holds(p, () -> {
      try (IptSysFile f = IptSysFile.open(p)) {
        while (f.hasNext()) {
          IptSegment s = f.next();
          packets(s.data());
        }
      }
    });
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void fileKind(byte[] data) {
    Path p = scratch(".bin", data);
    Contract.holds(p, () -> FileKind.of(p));
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void packets(byte[] data) {
    Contract.holds(null, () -> packets(ByteBuffer.wrap(data).asReadOnlyBuffer()));
  }

  /** Every packet, resynchronising after each error, with the clock running. */
  private static long packets(ByteBuffer trace) {
    PacketDecoder d = new PacketDecoder(trace.duplicate());
    PacketClock clock = new PacketClock(new PacketClock.Config(3, 2, 188, 40));
    Packet p = new Packet();
    long n = 0;
    for (PacketDecoder.Status st; (st = d.next(p)) != PacketDecoder.Status.END; n++) {
      if (st == PacketDecoder.Status.ERROR) {
        if (d.sync() < 0) break;
        continue;
      }
      clock.update(p);
    }
    return n;
  }

  /** Where {@link #flow}'s code is mapped: the seeds' traces point here. */
  static final long CODE = 0x401000;

  /**
   * The flow decoder over a small image: the input's first bytes (a length byte, then up to 255
   * bytes times 2) are the code at {@link #CODE}, the rest is the trace. Beyond the contract, the
   * rows stay within the bound docs/bad-input.md states per trace byte.
   */
  @FuzzTest(maxDuration = MAX_DURATION)
  void flow(FuzzedDataProvider in) {
    byte[] code = in.consumeBytes(2 * in.consumeInt(0, 255));
    byte[] trace = in.consumeRemainingAsBytes();
    RawImage image = new RawImage(List.of(new RawImage.Section(CODE, code, "code")));
    long[] rows = new long[1];
    FlowSink sink = new FlowSink() {
      @Override
      public void block(long seq, long startIp, long endIp, int insns, long ts) {
        rows[0]++;
      }

      @Override
      public void branch(long seq, long fromIp, long toIp, BranchKind kind, boolean taken, long ts) {
        rows[0]++;
      }
    };
    Contract.holds(null, () -> new FlowDecoder(new PacketDecoder(trace), image, sink).decode());
    // Without trace the walk visits each block of the code once at most past 4096 instructions
    // (then it is a loop, reported): at most 4096 + 2 x (code bytes) blocks, and a branch each,
    // per trace item, and a byte of trace holds at most 6 items (TNT-8 bits).
    long bound = 2L * (4096 + 2L * code.length + 2) * (6L * trace.length + 1);
    if (rows[0] > bound) throw new AssertionError(rows[0] + " rows from " + trace.length + " bytes of trace");
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void minidump(byte[] data) {
    Path p = Path.of("fuzz.dmp");
    Contract.holds(p, () -> {
      try (Minidump d = Minidump.of(p, data)) {
        MinidumpImage img = new MinidumpImage(d);
        byte[] buf = new byte[64];
        for (Minidump.Module m : d.modules()) {
          img.read(0, m.base(), buf, 0, buf.length);
          img.describe(0, m.base());
        }
        d.threads();
        d.systemInfo();
        d.miscInfo();
      }
    });
    Path f = scratch(".dmp", data);
    Contract.holds(f, () -> ImageInfo.describe(f, NOWHERE));
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void kernelDump(byte[] data) {
    Path p = Path.of("fuzz-kernel.dmp");
    Contract.holds(p, () -> {
      try (KernelDump d = KernelDump.of(p, data)) {
        KernelDumpImage img = new KernelDumpImage(d);
        byte[] buf = new byte[64];
        for (KernelDump.KernelModule m : d.modules()) {
          img.read(d.directoryTableBase(), m.base(), buf, 0, buf.length);
          img.describe(d.directoryTableBase(), m.base());
        }
      }
    });
    Path f = scratch(".dmp", data);
    Contract.holds(f, () -> ImageInfo.describe(f, NOWHERE));
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void pe(byte[] data) {
    Path p = Path.of("fuzz.dll");
    Contract.holds(p, () -> {
      try (PeFile pe = PeFile.of(p, data)) {
        pe.exports();
        pe.imports();
        pe.relocations();
        pe.codeView();
        pe.dvrt();
        PeImage img = new PeImage(pe, pe.imageBase() + 0x10000, ImportResolver.NONE, PeImage.Options.MEMORY);
        img.bytes();
      }
    });
    Path f = scratch(".dll", data);
    Contract.holds(f, () -> ImageInfo.describe(f, NOWHERE));
  }

  @FuzzTest(maxDuration = MAX_DURATION)
  void pdb(byte[] data) {
    Path p = Path.of("fuzz.pdb");
    Contract.holds(p, () -> {
      PdbFile pdb = PdbFile.read(BinFile.of(p, data));
      ModuleSymbols.fromPdb("fuzz", pdb);
      pdb.sections();
      pdb.modules();
    });
    Path f = scratch(".pdb", data);
    Contract.holds(f, () -> PdbInfo.describe(f, NOWHERE));
  }
}
