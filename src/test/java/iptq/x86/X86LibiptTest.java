package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Libipt;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * libipt (Debian libipt-dev, the reference the flow decoder must match) as a second oracle:
 * src/test/c/x86-libipt-insn.c syncs libipt's instruction decoder on one PSB+ per instruction
 * (FUP = the instruction's IP, MODE.Exec = its mode) and prints the size and pt_insn_class of
 * the instruction there. iptq's length and {@link InsnClass#libiptClass()} must match on real
 * x86-64 code and on the hand-written cases, except where this test documents why not.
 */
class X86LibiptTest {
  /** PSB (16) + MODE.Exec (2) + FUP with a full 8-byte IP (9) + PSBEND (2) + TNT-8 (1). */
  static final int STRIDE = 30;

  record Probe(long ip, Mode mode) {}

  /** Runs libipt on {@code probes} over {@code code} mapped at {@code base}. */
  static List<String> libipt(byte[] code, long base, List<Probe> probes, Path dir, String name)
      throws Exception {
    return libipt(Libipt.harness("x86-libipt-insn"), code, base, probes, dir, name);
  }

  /** As above, with the harness built against a given libipt. */
  static List<String> libipt(Path harness, byte[] code, long base, List<Probe> probes, Path dir, String name)
      throws Exception {
    Path codeFile = dir.resolve(name + ".bin");
    Path traceFile = dir.resolve(name + ".pt");
    Files.write(codeFile, code);
    ByteArrayOutputStream t = new ByteArrayOutputStream(probes.size() * STRIDE);
    for (Probe p : probes) {
      for (int i = 0; i < 8; i++) {
        t.write(0x02);
        t.write(0x82);
      }
      t.write(0x99);
      t.write(p.mode == Mode.BITS64 ? 0x01 : p.mode == Mode.BITS32 ? 0x02 : 0x00);
      t.write(0xdd); // FUP, IPBytes 110: the full 64-bit IP
      for (int i = 0; i < 8; i++) {
        t.write((int) (p.ip >>> (8 * i)));
      }
      t.write(0x02);
      t.write(0x23);
      t.write(0x06); // TNT-8, one bit: taken, so a conditional branch leads to its target
    }
    Files.write(traceFile, t.toByteArray());
    String out = Libipt.run(List.of(harness.toString(), codeFile.toString(),
        "0x" + Long.toHexString(base), traceFile.toString(), Integer.toString(STRIDE)));
    List<String> lines = List.of(out.split("\n"));
    assertEquals(probes.size(), lines.size(), "one line per probe");
    return lines;
  }

  /**
   * Compares libipt's line for one instruction with iptq's answer: size and class, the target
   * of a direct branch (libipt goes there next: the trace says "taken"), and for other
   * non-branch instructions the fall-through IP. Returns null when they agree, else iptq's view.
   */
  static String compare(String line, long ip, int length, InsnClass iclass, long target) {
    String[] f = line.split(" ");
    String want = Long.toHexString(ip) + " " + length + " " + iclass.libiptClass().ordinal();
    if (f.length < 3 || !(f[0] + " " + f[1] + " " + f[2]).equals(want)) {
      return want;
    }
    if (f.length < 4 || f[3].equals("-")) {
      return null; // libipt could not go on (needs a TIP, or the next bytes are not mapped)
    }
    long next = Long.parseUnsignedLong(f[3], 16);
    if (iclass.isDirect()) {
      return next == target ? null : want + " target " + Long.toHexString(target);
    }
    if (iclass == InsnClass.OTHER) {
      return next == ip + length ? null : want + " next " + Long.toHexString(ip + length);
    }
    return null;
  }

  private static Path workDir() throws Exception {
    Path dir = iptq.testing.Fixtures.projectDir().resolve("target/x86-libipt");
    Files.createDirectories(dir);
    return dir;
  }

  @Test
  void realX86_64CodeMatchesLibipt() throws Exception {
    Libipt.require();
    Insn insn = new Insn();
    long compared = 0;
    long targetsCompared = 0;
    Map<String, Long> classes = new TreeMap<>();
    Map<String, Long> differences = new TreeMap<>();
    List<String> mismatches = new ArrayList<>();
    int files = 0;
    CapstoneBatch capstone = new CapstoneBatch(Mode.BITS64);
    for (String lib : new String[] {"libc.so.6", "libstdc++.so.6", "libcrypto.so.3"}) {
      Path f = Path.of("/usr/lib/x86_64-linux-gnu", lib);
      if (!Files.isRegularFile(f)) {
        continue;
      }
      files++;
      for (ElfCode.Section s : ElfCode.sections(f.toRealPath(), true, 62, 1 << 20)) {
        byte[] code = s.bytes();
        List<Probe> probes = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        List<InsnClass> iclasses = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        int pos = 0;
        while (pos < code.length && probes.size() < 100_000) {
          if (X86Decoder.decode(code, pos, code.length - pos, s.address() + pos, Mode.BITS64,
              insn)) {
            probes.add(new Probe(s.address() + pos, Mode.BITS64));
            lengths.add(insn.length);
            iclasses.add(insn.iclass);
            targets.add(insn.target);
            pos += insn.length;
          } else {
            pos++;
          }
        }
        List<String> lines = libipt(code, s.address(), probes, workDir(), "real");
        for (int i = 0; i < probes.size(); i++) {
          String want = compare(lines.get(i), probes.get(i).ip, lengths.get(i),
              iclasses.get(i), targets.get(i));
          compared++;
          classes.merge(iclasses.get(i).libiptClass().name(), 1L, Long::sum);
          if (want == null) {
            if (iclasses.get(i).isDirect() && !lines.get(i).endsWith("-")) {
              targetsCompared++;
            }
            continue;
          }
          int at = (int) (probes.get(i).ip - s.address());
          String why = realDifference(code, at, lengths.get(i), capstone);
          if (why != null) {
            differences.merge(why, 1L, Long::sum);
          } else if (mismatches.size() < 30) {
            mismatches.add(f.getFileName() + ":" + s.name() + " [" + OracleSweep.hex(code, at,
                lengths.get(i)) + "] libipt " + lines.get(i) + ", iptq " + want);
          }
        }
      }
    }
    capstone.close();
    System.out.println("libipt: compared " + compared + " instructions of " + files
        + " libraries (" + targetsCompared + " direct-branch targets); classes " + classes
        + "; documented differences " + differences);
    mismatches.forEach(m -> System.out.println("  " + m));
    assertEquals(List.of(), mismatches);
    assertTrue(compared > 100_000, "compared " + compared);
    assertTrue(targetsCompared > 10_000, "targets compared " + targetsCompared);
  }

  /**
   * Real 32- and 16-bit compiler output (the objects X86CompiledCodeTest builds): every
   * instruction's size, class, direct target and fall-through IP as libipt has them. The .o
   * files are not linked, so .text sits at 0 and call targets are relocation placeholders; the
   * arithmetic is the same.
   */
  @Test
  void compiled32And16BitCodeMatchesLibipt() throws Exception {
    Libipt.require();
    Insn insn = new Insn();
    int compared = 0;
    List<String> mismatches = new ArrayList<>();
    for (X86CompiledCodeTest.Compiled o : X86CompiledCodeTest.compiledObjects()) {
      for (ElfCode.Section s : ElfCode.sections(o.object(), false, 3)) {
        byte[] code = s.bytes();
        long base = 0x1000; // libipt maps nothing at 0
        List<Probe> probes = new ArrayList<>();
        List<int[]> decoded = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        int pos = 0;
        while (pos < code.length) {
          assertTrue(X86Decoder.decode(code, pos, code.length - pos, base + pos, o.mode(), insn),
              o.object() + "+" + pos);
          probes.add(new Probe(base + pos, o.mode()));
          decoded.add(new int[] {insn.length, insn.iclass.ordinal()});
          targets.add(insn.target);
          pos += insn.length;
        }
        List<String> lines = libipt(code, base, probes, workDir(), "compiled");
        for (int i = 0; i < probes.size(); i++) {
          compared++;
          String want = compare(lines.get(i), probes.get(i).ip, decoded.get(i)[0],
              InsnClass.ofOrdinal(decoded.get(i)[1]), targets.get(i));
          if (want != null && mismatches.size() < 30) {
            mismatches.add(o.object().getFileName() + "+0x"
                + Long.toHexString(probes.get(i).ip - base) + ": libipt " + lines.get(i)
                + ", iptq " + want);
          }
        }
      }
    }
    System.out.println("libipt: compared " + compared + " compiled 32/16-bit instructions");
    mismatches.forEach(m -> System.out.println("  " + m));
    assertEquals(List.of(), mismatches);
    assertTrue(compared > 10_000, "compared " + compared);
  }

  @Test
  void handWrittenCasesMatchLibipt() throws Exception {
    Libipt.require();
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (X86DecoderTest.Case c : X86DecoderTest.CASES) {
      byte[] b = X86DecoderTest.bytes(c.hex());
      byte[] code = new byte[b.length + 16];
      System.arraycopy(b, 0, code, 0, b.length);
      List<String> lines = libipt(code, c.ip(), List.of(new Probe(c.ip(), c.mode())), workDir(),
          "case");
      String want = compare(lines.get(0), c.ip(), c.length(), c.iclass(), c.target());
      compared++;
      String why = libiptDiffers(c);
      if (why == null && want != null) {
        mismatches.add(c.mode() + " [" + c.hex() + "]: libipt " + lines.get(0) + ", iptq " + want);
      } else if (why != null && want == null) {
        mismatches.add(c.mode() + " [" + c.hex() + "]: said to differ (" + why + ") but agrees");
      }
    }
    mismatches.forEach(m -> System.out.println("  " + m));
    assertEquals(List.of(), mismatches);
    assertTrue(compared > 150);
  }

  /**
   * The cases of instructions libipt 2.0.5 predates (FRED's ERETU/ERETS, UIRET, APX's REX2 and
   * JMPABS) against libipt 2.2, the kit's library: size and class equal, each of them.
   */
  @Test
  void newerInstructionsMatchLibipt22() throws Exception {
    Path harness = Libipt.kitHarness("x86-libipt-insn");
    List<String> mismatches = new ArrayList<>();
    for (X86DecoderTest.Case c : X86DecoderTest.NEWER) {
      byte[] b = X86DecoderTest.bytes(c.hex());
      byte[] code = new byte[b.length + 16];
      System.arraycopy(b, 0, code, 0, b.length);
      List<String> lines = libipt(harness, code, c.ip(), List.of(new Probe(c.ip(), c.mode())), workDir(), "newer");
      String want = compare(lines.get(0), c.ip(), c.length(), c.iclass(), c.target());
      if (want != null) mismatches.add(c.mode() + " [" + c.hex() + "]: libipt 2.2 " + lines.get(0) + ", iptq " + want);
    }
    assertEquals(List.of(), mismatches);
    assertTrue(X86DecoderTest.NEWER.size() >= 25, "cases: " + X86DecoderTest.NEWER.size());
  }

  static final String REX2_DATA = "D5 in 64-bit code, where capstone 4 decodes nothing (data): APX REX2 to iptq and "
      + "libipt 2.2, AAD to libipt 2.0.5";

  private static boolean isLegacyPrefix(int b) {
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e
        || b == 0x26 || b == 0x64 || b == 0x65;
  }

  static final String XOP = "XOP (AMD): libipt decodes 8F as POP r/m";
  static final String XOP_UNDEFINED = "undefined XOP opcode (capstone 4 rejects it too)";
  static final String UD01 = "UD0/UD1: Intel SDM gives them a ModRM, libipt 2.0.5 none";
  static final String VEX_UNDEFINED = "undefined VEX/EVEX opcode (capstone 4 rejects it too): "
      + "libipt sizes it by its own tables, iptq gives every VEX opcode a ModRM";

  static final String NEWER = "FRED or APX: newer than libipt 2.0.5 (checked against 2.2)";

  /** Why libipt 2.0.5 decodes a hand-written case differently, or null. */
  static String libiptDiffers(X86DecoderTest.Case c) {
    if (X86DecoderTest.NEWER.contains(c) && c.iclass() != InsnClass.UIRET) {
      return NEWER; // 2.0.5 knows UIRET already
    }
    if (X86DecoderTest.NEWER.contains(c)) {
      return null;
    }
    byte[] b = X86DecoderTest.bytes(c.hex());
    if (c.iclass().isDirect() && c.mode() != Mode.BITS64) {
      // libipt adds the displacement to the 64-bit IP; iptq wraps to the operand size, as the
      // processor does. Only the cases that cross a 64 KiB / 4 GiB boundary differ.
      long unwrapped = c.ip() + c.length() + rel(b, c.length());
      if (unwrapped != c.target()) {
        return WRAP;
      }
    }
    return difference(b, 0, c.length());
  }

  static final String WRAP = "branch target wrapped to the operand size (iptq) or not (libipt)";

  /** The displacement at the end of a direct branch's bytes (rel8, rel16 or rel32). */
  private static long rel(byte[] b, int length) {
    // Find the size from the opcode position: scan past prefixes.
    int p = 0;
    while (p < length && (b[p] == 0x66 || b[p] == 0x67 || b[p] == 0x2e || b[p] == 0x3e
        || b[p] == 0x64 || b[p] == (byte) 0xf2 || b[p] == (byte) 0xf3)) {
      p++;
    }
    int opLen = (b[p] & 0xff) == 0x0f ? 2 : 1;
    int size = length - p - opLen;
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = (v << 8) | (b[p + opLen + i] & 0xff);
    }
    return (v << (64 - 8 * size)) >> (64 - 8 * size); // sign-extend
  }

  private static String difference(byte[] code, int at, int length) {
    int b0 = code[at] & 0xff;
    int b1 = at + 1 < code.length ? code[at + 1] & 0xff : 0;
    int b2 = at + 2 < code.length ? code[at + 2] & 0xff : 0;
    if (b0 == 0x8f && (b1 & 0x1f) >= 8) {
      return XOP;
    }
    if (b0 == 0x0f && (b1 == 0xb9 || b1 == 0xff)) {
      return UD01;
    }
    if (b0 == 0x0f && b1 == 0x0f && b2 == 0) {
      return null;
    }
    return null;
  }

  /**
   * The documented reason for a disagreement on real code, or null. An XOP instruction's
   * length is confirmed by capstone; an undefined VEX opcode must be one capstone rejects too.
   */
  private static String realDifference(byte[] code, int at, int length, CapstoneBatch cs) {
    String why = difference(code, at, length);
    int b0 = code[at] & 0xff;
    int n = Math.min(15, code.length - at);
    cs.load(code, at, n);
    int decoded = cs.disasm(0, n, 0);
    if (why == XOP) {
      // capstone confirms iptq's XOP length, or rejects an undefined XOP opcode (data).
      return decoded == 0 ? XOP_UNDEFINED : cs.size(0) == length ? XOP : null;
    }
    if (why != null) {
      return why;
    }
    int op = at;
    while (op < code.length - 1 && op < at + 14 && isLegacyPrefix(code[op] & 0xff)) op++;
    if ((code[op] & 0xff) == 0xd5 && decoded == 0) {
      return REX2_DATA; // 64-bit code only: the sweep of X86LibiptTest runs over x86-64 code
    }
    if ((b0 == 0xc4 || b0 == 0xc5 || b0 == 0x62 || b0 == 0x8f) && decoded == 0) {
      return VEX_UNDEFINED;
    }
    return null;
  }
}
