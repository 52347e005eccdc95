package iptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import iptq.image.Minidump;
import iptq.image.MinidumpWriter;
import iptq.image.PeFile;
import iptq.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Control characters from a file never reach a terminal or split a message (issue 16, case 7). */
class PrintableTest {
  @Test
  void controlCharactersAreShownEscaped() {
    assertEquals("\\x1b[2J\\x0d\\x0a\\x07x", Printable.of("\u001b[2J\r\n\u0007x"));
    assertEquals("a\\x9bb\\u202e", Printable.of("a\u009bb\u202e"));
    String plain = "C:\\Windows\\ntoskrnl.exe";
    assertSame(plain, Printable.of(plain));
  }

  @Test
  void aSectionNameWithEscapesIsPrintable() throws Exception {
    byte[] pe = Files.readAllBytes(Fixtures.projectDir().resolve("sample/bin/samplib.dll"));
    ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
    int fh = b.getInt(0x3C) + 4;
    int sh = fh + 20 + Short.toUnsignedInt(b.getShort(fh + 16));
    byte[] name = {0x1b, '[', '2', 'J', '\r', '\n', 7, 'x'};
    b.put(sh, name);
    try (PeFile f = PeFile.of(Path.of("s.dll"), pe)) {
      assertEquals("\\x1b[2J\\x0d\\x0a\\x07x", f.sections().get(0).name());
    }
  }

  @Test
  void aModuleNameWithEscapesIsPrintableAndMessagesStayOneLine() {
    byte[] dump = new MinidumpWriter().module(new MinidumpWriter.ModuleSpec("C:\\evil\n\u001b[31m.dll",
        0x10000, 0x1000, 0, 0, null)).toBytes();
    try (Minidump d = Minidump.of(Path.of("m.dmp"), dump)) {
      assertEquals("C:\\evil\\x0a\\x1b[31m.dll", d.modules().get(0).name());
    }
    InputException e = assertThrows(InputException.class, () -> {
      throw new InputException(Path.of("a\nb"), 3, "module \u001b[31mred\r\n");
    });
    assertEquals("a\\x0ab: offset 0x3: module \\x1b[31mred\\x0d\\x0a", e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertEquals(StandardCharsets.US_ASCII.newEncoder().canEncode(e.getMessage()), true);
  }
}
