package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.KnownTrace;
import iptq.testing.Required;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL shell at a real terminal: {@code iptq sql DB} runs under a pseudo-terminal made by
 * {@code script}, and the test types real key bytes (Ctrl-C is 0x03, Ctrl-D 0x04, Tab 0x09), each
 * after the prompt it answers has appeared.
 */
class ShellTerminalTest {
  @TempDir static Path dir;
  static Path db;

  @BeforeAll
  static void build() throws Exception {
    db = KnownTrace.build(dir);
  }

  /** One shell session at a terminal. */
  static final class Session implements AutoCloseable {
    final Process p;
    final OutputStream keys;
    final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    final Thread pump;
    int mark;

    Session(String... args) throws Exception {
      Required.onPath("script", "util-linux's script: apt-get install bsdutils");
      // a terminal 120 columns wide (script's own pty is 0x0 when the test has no terminal)
      String line = "stty cols 120 rows 40 2>/dev/null; exec " + Jvm.shell(Jvm.iptq(args));
      ProcessBuilder pb = new ProcessBuilder("script", "-qefc", line, "/dev/null").redirectErrorStream(true);
      pb.environment().put("HOME", dir.toString()); // the history file goes there
      pb.environment().put("TERM", "xterm");
      p = pb.start();
      keys = p.getOutputStream();
      InputStream in = p.getInputStream();
      pump = new Thread(() -> {
        byte[] b = new byte[4096];
        try {
          for (int n; (n = in.read(b)) > 0; ) synchronized (seen) {
            seen.write(b, 0, n);
            seen.notifyAll();
          }
        } catch (java.io.IOException ignored) {
          // the session ended
        }
      });
      pump.start();
    }

    String text() {
      synchronized (seen) {
        return seen.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits until {@code s} appears after what was seen last; returns everything seen up to it. */
    String expect(String s) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      synchronized (seen) {
        while (true) {
          String t = seen.toString(StandardCharsets.UTF_8);
          int at = t.indexOf(s, mark);
          if (at >= 0) {
            mark = at + s.length();
            return t.substring(0, mark);
          }
          long left = deadline - System.nanoTime();
          if (left <= 0 || !p.isAlive() && at < 0 && pumpDone()) throw new AssertionError("never saw '" + s + "' in:\n" + t);
          seen.wait(200);
        }
      }
    }

    private boolean pumpDone() {
      return !pump.isAlive();
    }

    void type(String s) throws Exception {
      keys.write(s.getBytes(StandardCharsets.UTF_8));
      keys.flush();
    }

    int exit() throws Exception {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the shell did not leave:\n" + text());
      pump.join(10_000);
      return p.exitValue();
    }

    @Override
    public void close() {
      p.destroyForcibly();
    }
  }

  @Test
  void ctrlCOnAContinuationLineDropsTheUnfinishedStatement() throws Exception {
    try (Session s = new Session("sql", db.toString())) {
      s.expect("iptq> ");
      s.type("SELECT 1 AS one,\r");
      s.expect("...> ");
      s.type("  2 AS two\u0003");
      s.expect("iptq> ");
      s.type("SELECT 42 AS answer;\r");
      String out = s.expect("(1 row)");
      assertFalse(out.contains("Error"), out);
      assertTrue(out.contains("answer") && out.contains("42"), out);
      s.expect("iptq> ");
      s.type(".quit\r");
      assertEquals(0, s.exit(), s.text());
    }
  }

  @Test
  void ctrlDOnAContinuationLineLeavesWithoutRunningIt() throws Exception {
    Path copy = dir.resolve("writable.duckdb");
    Files.copy(db, copy);
    try (Session s = new Session("sql", copy.toString(), "--write")) {
      s.expect("iptq> ");
      s.type("CREATE TABLE made_at_eof AS SELECT 1 AS x\r");
      s.expect("...> ");
      s.type("\u0004");
      assertEquals(0, s.exit(), s.text());
    }
    Cli check = Cli.run("sql", copy.toString(), "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'made_at_eof'");
    assertEquals("n\n0\n", check.out(), check.err());
  }

  @Test
  void aFailedStatementDoesNotFailTheSession() throws Exception {
    try (Session s = new Session("sql", db.toString())) {
      s.expect("iptq> ");
      s.type("SELECT nope FROM segments;\r");
      s.expect("Error: ");
      s.expect("iptq> ");
      s.type(".exit\r");
      assertEquals(0, s.exit(), s.text());
    }
  }

  @Test
  void tabCompletesCommandsTablesAndColumns() throws Exception {
    try (Session s = new Session("sql", db.toString())) {
      s.expect("iptq> ");
      // a column (skipped_bytes) and a table (decode_errors), each from a unique prefix
      s.type("SELECT max(skipped_by\t) AS m, (SELECT count(*) FROM decode_er\t) AS e FROM segments;\r");
      String out = s.expect("(1 row)");
      assertFalse(out.contains("Error"), out);
      s.expect("iptq> ");
      // a dot command, then a table name after it
      s.type(".sch\tsegment_summ\t\r");
      out = s.expect("iptq> ");
      assertTrue(out.contains("CREATE VIEW segment_summary"), out);
      s.type(".qu\t\r");
      assertEquals(0, s.exit(), s.text());
    }
  }
}
