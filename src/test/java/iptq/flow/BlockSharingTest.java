package iptq.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iptq.image.AddressSpaces;
import iptq.image.CodeImage;
import iptq.image.Minidump;
import iptq.image.MinidumpWriter;
import iptq.image.ModuleRecord;
import iptq.image.RawImage;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kernel code is decoded once for every process, through the trace-wide Windows image: two
 * processes with different code at the same user address, each entering the kernel by SYSCALL
 * and leaving it by the same SYSRET. The SYSRET's block is shared; where it leads is not, so
 * the second process must walk its own code there.
 */
class BlockSharingTest {
  static final long KERNEL = 0xfffff80000001000L, APP = 0x140000000L, CODE = APP + 0x1000;
  static final long PID_X = 100, PID_Y = 200, CR3_X = 0x1000000L, CR3_Y = 0x2000000L;

  @Test
  void kernelBlocksAreSharedAndWhereTheyLeadIsNot() {
    byte[] kernel = {(byte) 0x90, 0x48, 0x0f, 0x07}; // nop; sysretq
    byte[] codeX = {(byte) 0x90, (byte) 0x90, 0x0f, 0x05}; // nop; nop; syscall
    byte[] codeY = {0x31, (byte) 0xc0, 0x0f, 0x05}; // xor eax, eax; syscall
    List<ModuleRecord> mods = List.of(
        ModuleRecord.loaded("\\SystemRoot\\system32\\ntoskrnl.exe", KERNEL, kernel.length, 0, 0, 0),
        ModuleRecord.loaded("C:\\app\\app.exe", APP, 0x2000, PID_X, 0, 0),
        ModuleRecord.loaded("C:\\app\\app.exe", APP, 0x2000, PID_Y, 0, 0));
    RawImage raw = new RawImage(List.of(new RawImage.Section(KERNEL, kernel, "ntoskrnl.exe")));
    try (AddressSpaces spaces = AddressSpaces.builder().modules(mods)
        .minidump(dump(PID_X, codeX), PID_X).minidump(dump(PID_Y, codeY), PID_Y)
        .process(PID_X, CR3_X).process(PID_Y, CR3_Y).raw(raw).build()) {
      CodeImage image = spaces.image(0);
      PacketEncoder e = new PacketEncoder();
      e.psb().modeExecBits(64).pip(CR3_X, false).ip(PacketKind.FUP, KERNEL).psbend();
      e.ip(PacketKind.TIP, CODE); // the SYSRET into X
      e.pip(CR3_Y, false).ip(PacketKind.TIP, KERNEL); // X's SYSCALL, and the switch to Y
      e.ip(PacketKind.TIP, CODE); // the same SYSRET, into Y
      e.ip(PacketKind.TIP, KERNEL); // Y's SYSCALL
      e.ip(PacketKind.TIP_PGD, 0);

      List<String> walked = new ArrayList<>();
      FlowDecoder d = new FlowDecoder(new PacketDecoder(e.toByteArray()), image, new FlowSink() {
        @Override
        public void instruction(long seq, long ip, int size) {
          walked.add(Long.toHexString(ip) + "/" + size);
        }

        @Override
        public void error(long offset, long ip, String kind, String message, long skipped) {
          walked.add("error " + message);
        }

        @Override
        public boolean wantsInstructions() {
          return true;
        }
      });
      d.decode();
      String k = "fffff80000001000/1", sysret = "fffff80000001001/3";
      assertEquals(List.of(
          k, sysret, "140001000/1", "140001001/1", "140001002/2", // X: nop; nop; syscall
          k, sysret, "140001000/2", "140001002/2", // Y: xor eax, eax; syscall
          k, sysret), walked);
      // One kernel block for both processes, and one block of app.exe for each.
      assertEquals(3, d.cachedBlocks());
    }
  }

  private static Minidump dump(long pid, byte[] code) {
    byte[] bytes = new MinidumpWriter().processId(pid)
        .module(new MinidumpWriter.ModuleSpec("C:\\app\\app.exe", APP, 0x2000, 0, 0, null))
        .memory(CODE, code).toBytes();
    return Minidump.of(Path.of("app-" + pid + ".dmp"), bytes);
  }
}
