package iptq.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Instruction text from capstone-java over Debian's libcapstone, cached per address. */
class DisassemblerTest {
  @org.junit.jupiter.api.BeforeEach
  void needsCapstone() {
    iptq.testing.Required.capstone();
  }

  private static byte[] b(String hex) {
    return X86DecoderTest.bytes(hex);
  }

  @Test
  void rendersTextInEachMode() {
    try (Disassembler d = new Disassembler()) {
      assertEquals("mov rax, qword ptr [rbx + 8]", d.text(0x1000, b("48 8b 43 08"), 0, 4, Mode.BITS64));
      assertEquals("call 0x1005", d.text(0x1000, b("e8 00 00 00 00"), 0, 5, Mode.BITS64));
      assertEquals("ret", d.text(0x2000, b("c3 90 90"), 0, 3, Mode.BITS64));
      assertEquals("dec eax", d.text(0x1000, b("48 8b 43 08"), 0, 4, Mode.BITS32));
      assertEquals("mov ax, word ptr [bp + 2]", d.text(0x100, b("8b 46 02"), 0, 3, Mode.BITS16));
      assertEquals("(bad)", d.text(0x3000, b("06"), 0, 1, Mode.BITS64));
      // Bytes at an offset in a bigger buffer.
      assertEquals("syscall", d.text(0x4000, b("90 90 0f 05"), 2, 2, Mode.BITS64));
    }
  }

  @Test
  void cachesPerAddressAndNoticesOtherBytes() {
    try (Disassembler d = new Disassembler()) {
      byte[] nop = b("90");
      for (int i = 0; i < 1000; i++) {
        assertEquals("nop", d.text(0x5000, nop, 0, 1, Mode.BITS64));
      }
      assertEquals(1, d.capstoneCalls());
      // Another address space, other code at the same address: not the cached text.
      assertEquals("int3", d.text(0x5000, b("cc"), 0, 1, Mode.BITS64));
      assertEquals(2, d.capstoneCalls());
      // Modes are cached apart.
      assertEquals("dec eax", d.text(0x6000, b("48"), 0, 1, Mode.BITS32));
      assertEquals(3, d.capstoneCalls());
    }
  }

  @Test
  void boundedCacheDropsTheLeastRecentlyUsed() {
    try (Disassembler d = new Disassembler(2)) {
      byte[] nop = b("90");
      d.text(1, nop, 0, 1, Mode.BITS64);
      d.text(2, nop, 0, 1, Mode.BITS64);
      d.text(1, nop, 0, 1, Mode.BITS64);
      d.text(3, nop, 0, 1, Mode.BITS64); // evicts 2
      assertEquals(3, d.capstoneCalls());
      d.text(1, nop, 0, 1, Mode.BITS64);
      assertEquals(3, d.capstoneCalls());
      d.text(2, nop, 0, 1, Mode.BITS64);
      assertEquals(4, d.capstoneCalls());
    }
  }
}
