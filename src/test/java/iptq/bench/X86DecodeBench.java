package iptq.bench;

import capstone.Capstone;
import iptq.x86.CapstoneBatch;
import iptq.x86.ElfCode;
import iptq.x86.Insn;
import iptq.x86.Mode;
import iptq.x86.X86Decoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Instructions per second of iptq's decoder over real x86-64 code (linear sweeps of the
 * executable sections of /usr/lib's ELF files), and of capstone 4 over the same bytes in the
 * same run: batch ({@code cs_disasm} per 64 KiB chunk, detail off) and per instruction through
 * capstone-java (what a naive per-instruction use costs). Prints each and the ratios.
 */
public final class X86DecodeBench {
  public static void main(String[] args) throws Exception {
    long wantBytes = (args.length > 0 ? Long.parseLong(args[0]) : 16) << 20;
    List<byte[]> code = new ArrayList<>();
    List<Long> bases = new ArrayList<>();
    long total = 0;
    for (Path f : ElfCode.realFiles()) {
      if (total >= wantBytes) {
        break;
      }
      List<ElfCode.Section> secs;
      try {
        secs = ElfCode.sections(f, true, 62, 4 << 20);
      } catch (java.io.IOException e) {
        continue;
      }
      for (ElfCode.Section s : secs) {
        code.add(s.bytes());
        bases.add(s.address());
        total += s.bytes().length;
      }
    }
    System.out.printf("code: %.1f MiB in %d sections of /usr/lib (rates per thread CPU second)%n", total / 1048576.0, code.size());

    // iptq: warm up, then best of 5 timed sweeps.
    Insn insn = new Insn();
    long insns = 0;
    for (int i = 0; i < 3; i++) {
      insns = sweep(code, bases, insn);
    }
    // Thread CPU time: the machine is shared, wall time would measure the neighbours.
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = cpu();
      insns = sweep(code, bases, insn);
      best = Math.min(best, (cpu() - t0) / 1e9);
    }
    double iptqRate = insns / best;
    System.out.printf("iptq X86Decoder:        %,14.0f insns/s  (%,d insns, %.3f s)%n",
        iptqRate, insns, best);

    // capstone batch.
    long csInsns = 0;
    long t0 = cpu();
    try (CapstoneBatch cs = new CapstoneBatch(Mode.BITS64)) {
      for (int k = 0; k < code.size(); k++) {
        byte[] c = code.get(k);
        long base = bases.get(k);
        cs.load(c, 0, c.length);
        int pos = 0;
        while (pos < c.length) {
          int end = Math.min(c.length, pos + 64 * 1024);
          int n = cs.disasm(pos, end - pos, base + pos);
          if (n > 0) {
            pos = (int) (cs.address(n - 1) - base) + cs.size(n - 1);
            csInsns += n;
          }
          if (n == 0 || (end - pos >= X86Decoder.MAX_LENGTH && pos < end)) {
            pos++; // undecodable byte
          }
        }
      }
    }
    double csSecs = (cpu() - t0) / 1e9;
    double csRate = csInsns / csSecs;
    System.out.printf("capstone 4 batch (JNA): %,14.0f insns/s  (%,d insns, %.3f s)%n",
        csRate, csInsns, csSecs);

    // capstone-java, one instruction per call, on the first 20,000 instructions.
    Capstone cj = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64);
    cj.setDetail(Capstone.CS_OPT_OFF);
    int biggest = 0;
    for (int k = 0; k < code.size(); k++) {
      if (code.get(k).length > code.get(biggest).length) {
        biggest = k;
      }
    }
    byte[] c0 = code.get(biggest);
    long base0 = bases.get(biggest);
    for (int i = 0; i < 500; i++) {
      cj.disasm(java.util.Arrays.copyOfRange(c0, 0, 15), base0, 1); // warm-up
    }
    int pos = 0;
    int n1 = 0;
    t0 = cpu();
    while (n1 < 20_000 && pos < c0.length - 16) {
      Capstone.CsInsn[] one = cj.disasm(java.util.Arrays.copyOfRange(c0, pos, pos + 15),
          base0 + pos, 1);
      pos += one.length > 0 ? one[0].size : 1;
      n1++;
    }
    double cjSecs = (cpu() - t0) / 1e9;
    double cjRate = n1 / cjSecs;
    cj.close();
    System.out.printf("capstone-java per insn: %,14.0f insns/s  (%,d insns, %.3f s; %.1f us each)%n",
        cjRate, n1, cjSecs, cjSecs / n1 * 1e6);
    System.out.printf("ratio iptq / capstone batch: %.1fx; iptq / capstone-java per insn: %.0fx%n",
        iptqRate / csRate, iptqRate / cjRate);
  }

  private static long cpu() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long sweep(List<byte[]> code, List<Long> bases, Insn insn) {
    long n = 0;
    for (int k = 0; k < code.size(); k++) {
      byte[] c = code.get(k);
      long base = bases.get(k);
      int pos = 0;
      int len = c.length;
      while (pos < len) {
        if (X86Decoder.decode(c, pos, len - pos, base + pos, Mode.BITS64, insn)) {
          pos += insn.length;
          n++;
        } else {
          pos++;
        }
      }
    }
    return n;
  }
}
