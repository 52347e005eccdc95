package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdbInfoTest {
  static String describe(Path p) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PdbInfo.describe(p, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void describesTheRealPdb() {
    String out = describe(Fixtures.path("pdb/CrashWithException.pdb"));
    assertTrue(out.contains("GUID             F535C5FB-2AE8-4BB8-AA20-6C30BE566C5A"), out);
    assertTrue(out.contains("debug id         F535C5FB2AE84BB8AA206C30BE566C5A1"), out);
    assertTrue(out.contains("machine          0x8664 (x64)"), out);
    assertTrue(out.contains(".text    rva 0x00001000"), out);
    assertTrue(out.contains("modules          53 "), out);
    assertTrue(out.contains("publics          258 "), out);
    assertTrue(out.contains("procedures       77"), out);
    // FUNC 1000 8 0 _local_stdio_printf_options in the Breakpad file
    assertTrue(out.contains("0x00001000      8  pdb-proc   __local_stdio_printf_options"), out);
  }

  @Test
  void aFileThatIsNoPdbIsAnInputError(@TempDir Path tmp) throws Exception {
    Path f = Files.write(tmp.resolve("x.pdb"), new byte[64]);
    InputException e = assertThrows(InputException.class, () -> describe(f));
    assertTrue(e.getMessage().contains("not a PDB"), e.getMessage());
  }
}
