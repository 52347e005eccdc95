package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Store;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One rule for a broken PE on --image-path (issue 16, case 10): whatever part is damaged
 * (exports, imports, relocations, the load config that leads to the DVRT), a warning names the
 * file and what is wrong, that module has no code, and the ingest goes on.
 */
class BrokenPeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "samplib.dll, 0, export directory",
    "sampapp.exe, 1, import descriptor",
    "samplib.dll, 5, base relocation directory",
    "sampdrv.sys, 10, load config",
  })
  void aDamagedDirectoryIsAWarningAndTheModuleHasNoCode(String file, int directory, String what) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path sample = Fixtures.projectDir().resolve("sample");
    try (var s = Files.list(sample.resolve("bin"))) {
      for (Path p : (Iterable<Path>) s::iterator) Files.copy(p, bin.resolve(p.getFileName()));
    }
    byte[] pe = Files.readAllBytes(bin.resolve(file));
    ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
    int entry = b.getInt(0x3C) + 24 + 112 + 8 * directory; // PE32+ data directory
    b.putInt(entry, 0x7fff0000);
    b.putInt(entry + 4, 0x100);
    Files.write(bin.resolve(file), pe);

    Path db = dir.resolve("t.duckdb");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    Cli r;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      r = Cli.run("ingest", sample.resolve("data/kernel-syscall.etl").toString(), "--image-path", bin.toString(),
          "-o", db.toString());
    } finally {
      System.setErr(saved);
    }
    String warnings = err.toString(StandardCharsets.UTF_8) + r.err();
    assertEquals(0, r.exit(), warnings);
    String expect = "iptq: warning: " + file + ": " + bin.resolve(file) + ": offset 0x" + Integer.toHexString(entry) + ": " + what
        + " at RVA 0x7fff0000";
    assertTrue(warnings.contains(expect), expect + "\n in \n" + warnings);
    assertTrue(warnings.contains("; the module is left without code from it"), warnings);
    try (Connection c = Store.open(db, true); ResultSet rs = c.createStatement().executeQuery(
        "SELECT count(*) FILTER (WHERE name = '" + file + "' AND code_source <> 'none'),"
            + " count(*) FILTER (WHERE code_source <> 'none') FROM modules")) {
      assertTrue(rs.next());
      assertEquals(0, rs.getLong(1), "the broken module has no code");
      assertTrue(rs.getLong(2) > 0, "the others have");
    }
  }
}
