package iptq.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the iptq command line in this JVM with captured output (and optional standard input). */
record Cli(int exit, String out, String err) {
  static Cli withInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream saved = System.in;
    try {
      if (stdin != null) System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      var cl = Main.commandLine(args);
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      int code = cl.execute(args);
      return new Cli(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }

  static Cli run(String... args) {
    return withInput(null, args);
  }
}
