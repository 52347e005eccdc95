package iptq.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.PeFile;
import iptq.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sample's committed PE files are what sample/build.sh makes (deterministically), and they
 * have the shapes the sample exists for: import calls in the import-optimization layout, a
 * jump-table switch, SYSCALL/SYSRET and calls through function pointers.
 */
class SampleBinariesTest {
  static Path sample() {
    return Fixtures.projectDir().resolve("sample");
  }

  /** Skips visibly without the toolchain; in CI (CI=true) a missing toolchain fails. */
  static void requireTool(String tool) {
    iptq.testing.Required.tool(tool);
  }

  static String run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + text);
    return text;
  }

  @Test
  void buildIsDeterministicAndEqualsTheCommittedFiles() throws Exception {
    requireTool("clang");
    requireTool("lld-link");
    String out = run(sample(), "bash", "build.sh", "--check");
    assertTrue(out.contains("deterministic, and equal to sample/bin"), out);
  }

  /**
   * The driver as the loader maps it, read with iptq's PE reader, so that the tests below work in
   * RVAs. What they check (the call sites, the DVRT) they read byte by byte themselves.
   */
  record Driver(ByteBuffer image, long imageBase, int iatRva, int iatSize, int loadConfigRva, List<PeFile.Section> sections) {
    static Driver read() {
      try (PeFile pe = PeFile.open(sample().resolve("bin/sampdrv.sys"))) {
        assertTrue(pe.isPe32Plus(), "PE32+");
        return new Driver(ByteBuffer.wrap(pe.mapImage()).order(ByteOrder.LITTLE_ENDIAN), pe.imageBase(),
            (int) pe.directoryRva(PeFile.DIR_IAT), (int) pe.directorySize(PeFile.DIR_IAT),
            (int) pe.directoryRva(PeFile.DIR_LOAD_CONFIG), pe.sections());
      }
    }

    boolean executable(int rva) {
      for (PeFile.Section s : sections) {
        if (rva >= s.virtualAddress() && rva < s.virtualAddress() + s.virtualSize()) return s.executable();
      }
      return false;
    }

    /** The RVA of a RIP-relative {@code FF 15} call at {@code rva} calls through, or -1 when there is none. */
    int callSlot(int rva) {
      ByteBuffer b = image;
      if ((b.get(rva) & 0xff) != 0xff || b.get(rva + 1) != 0x15 || !executable(rva)) return -1;
      return rva + 6 + b.getInt(rva + 2);
    }

    boolean inIat(int rva) {
      return rva >= iatRva && rva < iatRva + iatSize;
    }
  }

  @Test
  void driverImportCallsHaveTheImportOptimizationLayout() {
    Driver pe = Driver.read();
    assertTrue(pe.iatSize() >= 5 * 8, "the driver imports four functions from ntstub.sys");
    ByteBuffer b = pe.image();
    int widened = 0;
    int plain = 0;
    for (int i = 1; i + 11 < b.limit(); i++) {
      if (!pe.inIat(pe.callSlot(i))) continue;
      boolean rex = (b.get(i - 1) & 0xff) == 0x48;
      boolean nop = b.get(i + 6) == 0x0f && b.get(i + 7) == 0x1f && b.get(i + 8) == 0x44
          && b.get(i + 9) == 0 && b.get(i + 10) == 0;
      if (rex && nop) widened++;
      else plain++;
    }
    assertEquals(0, plain, "import calls not in the 48 FF 15 + 0F 1F 44 00 00 layout");
    assertTrue(widened >= 6, "expected the driver's import call sites, found " + widened);
  }

  /** Every import call site is in the driver's DVRT, in the layout real kernel images use. */
  @Test
  void driverDvrtListsEveryImportCallSite() {
    Driver pe = Driver.read();
    ByteBuffer b = pe.image();
    int loadConfig = pe.loadConfigRva();
    assertTrue(loadConfig > 0, "the driver has a load configuration");
    assertEquals(0x108, b.getInt(loadConfig));
    int dvrtOffset = b.getInt(loadConfig + 0xE0);
    int dvrtSection = b.getShort(loadConfig + 0xE4) & 0xffff;
    int table = (int) pe.sections().get(dvrtSection - 1).virtualAddress() + dvrtOffset;
    assertEquals(1, b.getInt(table), "DVRT version");
    int end = table + 8 + b.getInt(table + 4);
    List<Integer> listed = new ArrayList<>();
    for (int p = table + 8; p < end; ) {
      long symbol = b.getLong(p);
      int size = b.getInt(p + 8);
      assertEquals(3, symbol, "IMAGE_DYNAMIC_RELOCATION_GUARD_IMPORT_CONTROL_TRANSFER");
      for (int q = p + 12; q < p + 12 + size; ) {
        int page = b.getInt(q);
        int blockSize = b.getInt(q + 4);
        for (int k = q + 8; k < q + blockSize; k += 4) {
          int e = b.getInt(k);
          int rva = page + (e & 0xfff);
          assertEquals(1, (e >>> 12) & 1, "IndirectCall");
          assertEquals(0x48, b.get(rva) & 0xff);
          assertEquals(pe.iatRva() + 8 * (e >>> 13), pe.callSlot(rva + 1), "IATIndex names the slot called");
          listed.add(rva);
        }
        q += blockSize;
      }
      p += 12 + size;
    }
    List<Integer> sites = new ArrayList<>();
    for (int i = 1; i + 11 < b.limit(); i++) {
      if ((b.get(i - 1) & 0xff) == 0x48 && pe.inIat(pe.callSlot(i))) sites.add(i - 1);
    }
    assertEquals(sites, listed);
  }

  @Test
  void codeHasTheControlFlowTheSampleIsFor() throws Exception {
    requireTool("llvm-objdump");
    String drv = run(sample(), "llvm-objdump", "-d", "--no-show-raw-insn", "bin/sampdrv.sys");
    String service = function(drv, "SampSystemService");
    assertTrue(service.matches("(?s).*jmpq\\s+\\*%r\\w+.*"), "the service switch should be a jump table:\n" + service);
    assertTrue(drv.contains("sysretq"), "SampKiSystemCall64 returns with SYSRET");
    requireTool("llvm-pdbutil");
    // SampTreeDepth is static, so only the PDB knows where it is: it must call itself.
    String syms = run(sample(), "llvm-pdbutil", "dump", "-symbols", "bin/sampdrv.pdb");
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("`SampTreeDepth`\\s+parent = \\d+, end = \\d+, addr = 0001:(\\d+), code size = (\\d+)")
        .matcher(syms);
    assertTrue(m.find(), "SampTreeDepth in the PDB");
    Driver pe = Driver.read();
    long start = pe.imageBase() + pe.sections().get(0).virtualAddress() + Long.parseLong(m.group(1));
    long end = start + Long.parseLong(m.group(2));
    String self = "callq\t0x" + Long.toHexString(start);
    boolean recursive = drv.lines().anyMatch(l -> {
      String t = l.strip();
      int colon = t.indexOf(':');
      if (colon < 0) return false;
      try {
        long at = Long.parseLong(t.substring(0, colon), 16);
        return at >= start && at < end && t.contains(self);
      } catch (NumberFormatException e) {
        return false;
      }
    });
    assertTrue(recursive, "SampTreeDepth at 0x" + Long.toHexString(start) + " calls itself");
    String lib = run(sample(), "llvm-objdump", "-d", "--no-show-raw-insn", "bin/samplib.dll");
    assertTrue(function(lib, "SampSyscall").contains("syscall"));
    assertTrue(lib.matches("(?s).*callq\\s+\\*\\d*\\(%r\\w+,%r\\w+\\).*"), "commands run through a table of function pointers");
    String app = run(sample(), "llvm-objdump", "-p", "bin/sampapp.exe");
    assertTrue(app.contains("samplib.dll"), "sampapp.exe imports samplib.dll");
  }

  /** The disassembly of one function: from its label to the next label. */
  static String function(String listing, String name) {
    int at = listing.indexOf("<" + name + ">:");
    assertTrue(at >= 0, name + " not in the listing");
    int end = listing.indexOf(">:\n", at + name.length() + 3);
    return listing.substring(at, end < 0 ? listing.length() : end);
  }
}
