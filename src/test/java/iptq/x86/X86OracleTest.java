package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The oracle test: iptq's decoder against capstone 4 (Debian libcapstone) on real code — the
 * executable sections of the x86-64 ELF files in /usr/lib — and on the same bytes read as 32-
 * and 16-bit code, and on random bytes. Length, class and direct target must agree on every
 * instruction capstone decodes.
 */
class X86OracleTest {
  static final long BUDGET_64 = 2_200_000;
  /** Instructions per file at most, so the sample spans many libraries, not one big one. */
  static final long PER_FILE = 60_000;

  /**
   * Sweeps x86-64 code of {@link ElfCode#realFiles()}, at most {@code perFile} instructions and
   * {@code perSection} bytes of each section, until {@code budget} instructions were compared.
   */
  static void sweepRealCode(OracleSweep sweep, long budget, long perFile, int perSection,
      java.util.function.LongUnaryOperator base) throws Exception {
    for (Path f : ElfCode.realFiles()) {
      if (sweep.compared >= budget) {
        break;
      }
      List<ElfCode.Section> secs;
      try {
        secs = ElfCode.sections(f, true, 62, perSection);
      } catch (java.io.IOException e) {
        continue; // unreadable file: not part of the sample
      }
      long fileBudget = Math.min(budget, sweep.compared + perFile);
      for (ElfCode.Section s : secs) {
        int len = s.bytes().length;
        sweep.sweep(s.bytes(), len, base.applyAsLong(s.address()), fileBudget,
            f + ":" + s.name());
      }
    }
  }

  @Test
  void x86_64CodeFromUsrLibAgreesWithCapstone() throws Exception {
    try (CapstoneBatch cs = new CapstoneBatch(Mode.BITS64)) {
      OracleSweep sweep = new OracleSweep(Mode.BITS64, cs);
      sweep.strict = true;
      sweepRealCode(sweep, BUDGET_64, PER_FILE, 1 << 20, a -> a);
      report(sweep);
      assertTrue(sweep.compared >= 2_000_000, "sample too small: " + sweep.compared);
    }
  }

  /**
   * The same real bytes read as 32-bit and 16-bit code: not code for those modes, but dense in
   * the encodings whose length depends on the mode (INC/DEC instead of REX, 16-bit ModRM,
   * moffs, rel16, LES/LDS/BOUND against VEX/EVEX).
   */
  @Test
  void sameBytesAs32And16BitCodeAgreeWithCapstone() throws Exception {
    for (Mode mode : new Mode[] {Mode.BITS32, Mode.BITS16}) {
      try (CapstoneBatch cs = new CapstoneBatch(mode)) {
        OracleSweep sweep = new OracleSweep(mode, cs);
        sweepRealCode(sweep, 300_000, 30_000, 0x10000,
            a -> mode == Mode.BITS16 ? 0 : a & 0xffffffffL);
        report(sweep);
        assertTrue(sweep.compared >= 300_000, "sample too small: " + sweep.compared);
      }
    }
  }

  @Test
  void randomBytesAgreeWithCapstone() {
    Random random = new Random(0x1970);
    byte[] bytes = new byte[1 << 20];
    random.nextBytes(bytes);
    for (Mode mode : Mode.values()) {
      try (CapstoneBatch cs = new CapstoneBatch(mode)) {
        OracleSweep sweep = new OracleSweep(mode, cs);
        if (mode == Mode.BITS16) {
          // 16-bit code lives in 64 KiB segments: sweep slices of the buffer at offset 0.
          for (int slice = 0; slice < 8; slice++) {
            byte[] segment = java.util.Arrays.copyOfRange(bytes, slice << 16, (slice + 1) << 16);
            sweep.sweep(segment, segment.length, 0, 150_000, "random/" + slice);
          }
        } else {
          sweep.sweep(bytes, bytes.length, 0x40000000L, 150_000, "random");
        }
        report(sweep);
        assertTrue(sweep.compared >= 150_000, "sample too small: " + sweep.compared);
      }
    }
  }

  private static void report(OracleSweep sweep) {
    System.out.println(sweep.summary());
    sweep.mismatches.forEach(m -> System.out.println("  " + m));
    assertEquals(0, sweep.mismatchCount, "mismatches: " + String.join("\n", sweep.mismatches));
  }
}
