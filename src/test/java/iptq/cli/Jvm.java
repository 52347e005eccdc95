package iptq.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The iptq command line as a separate process (this JVM's class path), for tests of terminals and shells. */
final class Jvm {
  private Jvm() {}

  /** {@code java … iptq.cli.Main args…} as an argument list. */
  static List<String> iptq(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "iptq.cli.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The same as one line for {@code sh -c}, every word quoted. */
  static String shell(List<String> words) {
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(quote(w));
    }
    return sb.toString();
  }

  static String quote(String w) {
    return "'" + w.replace("'", "'\\''") + "'";
  }
}
