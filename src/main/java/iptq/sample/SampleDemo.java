package iptq.sample;

import iptq.etl.EtlEvent;
import iptq.etl.EtlFile;
import iptq.etl.EventData;
import iptq.etl.IptSegment;
import iptq.etl.IptSegments;
import iptq.flow.FlowDecoder;
import iptq.flow.FlowSink;
import iptq.image.CodeImage;
import iptq.image.AddressSpaces;
import iptq.image.ModuleRecord;
import iptq.image.PeFile;
import iptq.pt.PacketDecoder;
import iptq.symbols.ModuleSymbols;
import iptq.symbols.PdbFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code iptq demo} shows, computed from the bundled sample with iptq's own stages: the ETL
 * reader finds the IPT segments and their triggers and the modules' load addresses (Image
 * events), the PE files in sample/bin are mapped there with the DVRT emulation, the flow decoder
 * walks each segment, and the PDBs name the functions. Per SystemCallExit segment it prints the
 * last functions that ran before the event, and per segment the decode health (errors,
 * instructions).
 */
public final class SampleDemo {
  private final Path data;
  private final Path bin;
  private final PrintStream out;
  private final int last;

  public SampleDemo(Path data, Path bin, PrintStream out, int last) {
    this.data = data;
    this.bin = bin;
    this.out = out;
    this.last = last;
  }

  private record Loaded(String name, long base, long size, ModuleSymbols symbols) {}

  /** Runs the demo; returns the number of segments decoded. */
  public int run() throws IOException {
    List<Path> etls = new ArrayList<>();
    try (var s = Files.list(data)) {
      s.filter(p -> p.toString().endsWith(".etl")).sorted().forEach(etls::add);
    }
    int decoded = 0;
    for (Path etl : etls) decoded += recording(etl);
    return decoded;
  }

  private int recording(Path etl) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, Long> bases = new LinkedHashMap<>();
    List<IptSegment> segs = new ArrayList<>();
    List<ModuleRecord> records = new ArrayList<>();
    Map<Long, Long> procs = new LinkedHashMap<>();
    try (EtlFile in = EtlFile.open(etl)) {
      IptSegments ipt = new IptSegments(in.header(), -1);
      while (in.hasMoreEvents()) {
        EtlEvent e = in.readEvent();
        counts.merge(e.name(), 1L, Long::sum);
        if (e.data() instanceof EventData.Image im) {
          String name = im.name().toLowerCase(Locale.ROOT);
          bases.putIfAbsent(name, im.imageBase());
          records.add(ModuleRecord.loaded(name, im.imageBase(), im.imageSize(), im.imageBase() < 0 ? -1 : im.pid(),
              Integer.toUnsignedLong(im.timeDateStamp()), Integer.toUnsignedLong(im.checksum())));
        } else if (e.data() instanceof EventData.Process p && p.pid() != 4) {
          procs.put((long) p.pid(), p.directoryTableBase());
        }
        ipt.accept(e).ifPresent(segs::add);
      }
    }
    long wrapped = segs.stream().filter(IptSegment::wrapped).count();
    out.printf("%n== %s: %d events, %d IPT segments (%d wrapped), buffer %d KiB, code mode %s%n",
        etl.getFileName(), counts.values().stream().mapToLong(Long::longValue).sum(), segs.size(), wrapped,
        segs.isEmpty() ? 0 : segs.get(0).bufferSize() / 1024,
        segs.isEmpty() ? "-" : segs.get(0).option().traceCodeMode() == 2 ? "user+kernel" : "kernel");
    out.print("   events:");
    counts.forEach((k, v) -> out.print(" " + k + "=" + v));
    out.println();

    // Code as it was in memory: the live kernel dump and the process dumps beside the trace
    // (the PE files on sample/bin, with the DVRT emulation, only where no dump covers a module).
    AddressSpaces.Builder b = AddressSpaces.builder().modules(records).imagePath(List.of(bin));
    procs.forEach(b::process);
    try (var l = Files.list(data)) {
      l.filter(p -> p.toString().endsWith(".dmp")).sorted().forEach(b::dump);
    }
    List<Loaded> modules = new ArrayList<>();
    try (AddressSpaces spaces = b.build()) {
      Map<String, String> sources = new TreeMap<>();
      for (AddressSpaces.Resolved r : spaces.resolved()) sources.merge(r.module().name(), r.codeSource(), (x, y) -> x.equals(y) ? x : x + "," + y);
      out.print("   code from:");
      sources.forEach((k, v) -> out.print(" " + k + "=" + v));
      out.println();
      for (Map.Entry<String, Long> m : bases.entrySet()) {
        Path pe = bin.resolve(m.getKey());
        if (!Files.isRegularFile(pe)) continue;
        try (PeFile f = PeFile.open(pe)) {
          Path pdb = bin.resolve(m.getKey().substring(0, m.getKey().lastIndexOf('.')) + ".pdb");
          ModuleSymbols sym = Files.isRegularFile(pdb) ? ModuleSymbols.fromPdb(m.getKey(), PdbFile.open(pdb)) : ModuleSymbols.none(m.getKey());
          modules.add(new Loaded(m.getKey(), m.getValue(), f.sizeOfImage(), sym));
        }
      }
      return decode(segs, spaces, modules);
    }
  }

  private int decode(List<IptSegment> segs, AddressSpaces spaces, List<Loaded> modules) {
    int n = 0;
    for (IptSegment s : segs) {
      n++;
      List<Long> ips = new ArrayList<>();
      long[] errors = {0};
      FlowSink sink = new FlowSink() {
        @Override
        public boolean wantsInstructions() {
          return true;
        }

        @Override
        public void instruction(long seq, long ip, int size) {
          ips.add(ip);
        }

        @Override
        public void error(long offset, long ip, String kind, String message, long skippedBytes) {
          errors[0]++;
        }
      };
      byte[] trace = new byte[s.data().remaining()];
      s.data().duplicate().get(trace);
      CodeImage code = spaces.image(s.pid(), s.ts());
      new FlowDecoder(new PacketDecoder(trace), code, sink).decode();
      List<String> runs = new ArrayList<>();
      for (long ip : ips) {
        String f = function(modules, ip);
        if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(f)) runs.add(f);
      }
      List<String> tail = runs.subList(Math.max(0, runs.size() - last), runs.size());
      out.printf("   segment %d  %-14s tid %-5d %5d bytes%s  %,7d instructions, %d decode errors%n", n,
          s.trigger(), s.tid(), s.sizeBytes(), s.wrapped() ? " (wrapped)" : "          ", ips.size(), errors[0]);
      if ("SystemCallExit".equals(s.trigger()) || "CSwitch".equals(s.trigger())) {
        out.println("      functions before " + s.trigger() + ": " + String.join(" > ", tail));
      }
    }
    return n;
  }

  private static String function(List<Loaded> modules, long ip) {
    for (Loaded m : modules) {
      long rva = ip - m.base();
      if (Long.compareUnsigned(rva, m.size()) < 0) {
        int e = m.symbols().find(rva);
        String stem = m.name().substring(0, m.name().lastIndexOf('.'));
        return e < 0 ? stem + "+0x" + Long.toHexString(rva) : stem + "!" + m.symbols().name(e);
      }
    }
    return "0x" + Long.toHexString(ip);
  }
}
