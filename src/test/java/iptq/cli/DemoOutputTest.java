package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iptq demo -o DB} keeps an existing DB unless --force, as {@code ingest} does. */
class DemoOutputTest {
  @TempDir Path dir;

  @Test
  void anExistingDatabaseIsRefusedWithoutForce() throws Exception {
    Path db = dir.resolve("sample.duckdb");
    Files.writeString(db, "mine");
    Cli r = Cli.run("demo", "-o", db.toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals("iptq: " + db.toAbsolutePath() + ": already exists (use --force to overwrite)", r.err().strip());
    assertEquals("", r.out());
    assertEquals("mine", Files.readString(db));
  }

  @Test
  void withForceItIsReplaced() throws Exception {
    Path db = dir.resolve("sample.duckdb");
    Files.writeString(db, "mine");
    Cli r = Cli.run("demo", "-o", db.toString(), "--force");
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(db) > 100_000, "a database now");
  }
}
