package iptq.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target of an ingest: locked while written, never replaced without --force, no leftovers. */
class TargetTest {
  @TempDir Path dir;

  static List<String> names(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The pid of a process that ran and ended. */
  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    long pid = p.pid();
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    return pid;
  }

  @Test
  void aSecondWriterOfTheSameTargetIsRefusedNamingTheFirst() throws Exception {
    Path db = dir.resolve("t.duckdb");
    try (Store first = Store.create(db, false)) {
      assertTrue(Files.exists(dir.resolve(".t.duckdb.lock")));
      InputException e = assertThrows(InputException.class, () -> Store.create(db, true));
      assertTrue(e.getMessage().contains("another iptq (pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
      first.commit();
    }
    assertEquals(List.of("t.duckdb"), names(dir));
  }

  @Test
  void aFileThatAppearedAtTheTargetMeanwhileIsKept() throws Exception {
    Path db = dir.resolve("t.duckdb");
    try (Store s = Store.create(db, false)) {
      Files.writeString(db, "written by someone else");
      InputException e = assertThrows(InputException.class, s::commit);
      assertTrue(e.getMessage().contains("appeared while this ingest ran"), e.getMessage());
    }
    assertEquals("written by someone else", Files.readString(db));
    assertEquals(List.of("t.duckdb"), names(dir));
  }

  @Test
  void withForceTheFileThatAppearedIsReplaced() throws Exception {
    Path db = dir.resolve("t.duckdb");
    try (Store s = Store.create(db, true)) {
      Files.writeString(db, "written by someone else");
      s.commit();
    }
    try (Connection c = Store.open(db, true)) {
      assertTrue(c.isValid(5));
    }
    assertEquals(List.of("t.duckdb"), names(dir));
  }

  @Test
  void aStaleLockAndTheTemporaryFoldersOfDeadProcessesAreCleanedUp() throws Exception {
    Path db = dir.resolve("t.duckdb");
    long dead = deadPid();
    Files.writeString(dir.resolve(".t.duckdb.lock"), Long.toString(dead));
    Path stale = Files.createDirectories(dir.resolve(".t.duckdb." + dead + ".tmp"));
    Files.writeString(stale.resolve("iptq.duckdb.wal"), "x");
    Path otherDead = Files.createDirectories(dir.resolve(".other.duckdb." + dead + ".tmp"));
    // A live process's folder (this one's parent JVM has another pid) stays.
    long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
    Path running = Files.createDirectories(dir.resolve(".u.duckdb." + live + ".tmp"));
    try (Store s = Store.create(db, false)) {
      s.commit();
    }
    assertFalse(Files.exists(stale));
    assertFalse(Files.exists(otherDead));
    assertTrue(Files.exists(running));
    assertEquals(List.of(".u.duckdb." + live + ".tmp", "t.duckdb"), names(dir));
  }

  @Test
  void anAbortedStoreLeavesNothing() throws Exception {
    Path db = dir.resolve("t.duckdb");
    try (Store s = Store.create(db, false)) {
      s.connection().createStatement().execute("CREATE TABLE spill_me AS SELECT range AS x FROM range(1000)");
    }
    assertEquals(List.of(), names(dir));
  }
}
