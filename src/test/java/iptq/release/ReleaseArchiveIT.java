package iptq.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.sample.DemoEndToEndTest;
import iptq.testing.Fixtures;
import iptq.testing.Required;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The release archives as a user gets them ({@code ./mvnw package} writes them; failsafe runs
 * this after): each is unpacked with the system's own tool ({@code unzip}, {@code tar}) into an
 * empty folder outside the checkout, and {@code iptq demo} must give the demo's true answer run
 * through a symlink in a third folder, from a working folder elsewhere, and through
 * {@code java -jar lib/iptq-VERSION.jar} with no flags; neither may write into the install.
 */
class ReleaseArchiveIT {
  static final String VERSION = System.getProperty("iptq.version", "0.1.0");
  static final String TOP = "iptq-" + VERSION;

  @TempDir Path tmp;

  /** Each archive is unpacked once (250 MB of jars, mostly DuckDB's native libraries) for all tests. */
  @TempDir static Path installs;

  private static final Map<String, Path> INSTALLED = new TreeMap<>();

  static synchronized Path installed(String ext) throws Exception {
    Path home = INSTALLED.get(ext);
    if (home == null) {
      home = unpack(ext, installs.resolve("my install" + ext.replace('.', '-'))); // a blank, as in "Program Files"
      INSTALLED.put(ext, home);
    }
    return home;
  }

  @BeforeAll
  static void archivesWereBuilt() {
    for (String ext : List.of(".zip", ".tar.gz")) {
      Path a = archive(ext);
      assertTrue(Files.isRegularFile(a), a + " was not built by ./mvnw package");
    }
  }

  static Path archive(String ext) {
    return Fixtures.projectDir().resolve("target/" + TOP + ext);
  }

  /** Unpacks with the tool a user would use; returns the install folder. */
  static Path unpack(String ext, Path into) throws Exception {
    Files.createDirectories(into);
    if (ext.equals(".zip")) {
      Required.tool("unzip");
      run(into, Map.of(), 300, "unzip", "-q", archive(ext).toString());
    } else {
      run(into, Map.of(), 300, "tar", "xzf", archive(ext).toString());
    }
    return into.resolve(TOP);
  }

  @ParameterizedTest
  @ValueSource(strings = {".zip", ".tar.gz"})
  void listsExactlyTheLayoutAUserNeeds(String ext) throws Exception {
    String listing = ext.equals(".zip")
        ? run(tmp, Map.of(), 120, "unzip", "-Z1", archive(ext).toString())
        : run(tmp, Map.of(), 120, "tar", "tzf", archive(ext).toString());
    Set<String> top = new TreeSet<>();
    for (String entry : listing.split("\n")) {
      if (entry.isBlank()) continue;
      String[] parts = entry.split("/");
      assertEquals(TOP, parts[0], "every entry is under " + TOP + "/: " + entry);
      if (parts.length > 1) top.add(parts[1]);
    }
    assertEquals(new TreeSet<>(List.of("bin", "lib", "sample", "ingest", "docs", "schema", "README.md", "LICENSE", "NOTICE")),
        top, listing);
    for (String must : List.of(TOP + "/bin/iptq", TOP + "/bin/iptq.cmd", TOP + "/lib/iptq-" + VERSION + ".jar",
        TOP + "/sample/data/kernel-syscall.etl", TOP + "/sample/bin/sampapp.pdb", TOP + "/ingest/capture.ps1",
        TOP + "/ingest/IptKernelSyscallExit.wprp", TOP + "/docs/symbols.md", TOP + "/schema/README.md")) {
      assertTrue(listing.lines().anyMatch(must::equals), must + " in " + ext);
    }
  }

  /** What the README sends a reader to is in the unpacked archive: every relative link is a file there. */
  @ParameterizedTest
  @ValueSource(strings = {".zip", ".tar.gz"})
  void everyReadmeLinkResolvesInsideTheInstall(String ext) throws Exception {
    Path home = installed(ext);
    List<String> broken = new java.util.ArrayList<>();
    List<iptq.docs.MarkdownLinks.Link> links = iptq.docs.MarkdownLinks.relative(Files.readAllLines(home.resolve("README.md")));
    assertTrue(links.size() > 15, "found only " + links.size() + " relative links in the README");
    for (iptq.docs.MarkdownLinks.Link l : links) {
      Path to = l.file().isEmpty() ? home.resolve("README.md") : home.resolve(l.file()).normalize();
      if (!to.startsWith(home) || !Files.exists(to)) broken.add("README.md:" + l.line() + ": " + l.target());
    }
    assertEquals(List.of(), broken, "README links with nothing behind them in " + ext);
  }

  @ParameterizedTest
  @ValueSource(strings = {".zip", ".tar.gz"})
  void demoRunsThroughASymlinkFromAnotherFolderAndWithJavaJar(String ext) throws Exception {
    Path home = installed(ext);
    Path links = Files.createDirectories(tmp.resolve("links"));
    Path work = Files.createDirectories(tmp.resolve("work dir"));
    Path link = Files.createSymbolicLink(links.resolve("iptq"), home.resolve("bin/iptq"));
    Map<String, Long> before = snapshot(home);
    readOnly(home);
    try {
      // Through the symlink, with a working folder elsewhere; the kept database's path has spaces
      // and quotes, so the launcher must pass arguments through exactly.
      Path kept = work.resolve("my  \"sample\" it's.duckdb");
      String out = run(work, Map.of(), 600, link.toString(), "demo", "-o", kept.toString());
      DemoEndToEndTest.assertAnswer(out, home);
      assertTrue(out.contains("the bundled sample in " + home.toRealPath().resolve("sample/data")), out);
      assertTrue(Files.isRegularFile(kept), kept + " kept");

      // java -jar with no flags: the manifest's Class-Path and Add-Opens are enough.
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String jarOut = run(work, Map.of(), 600, java, "-jar", home.resolve("lib/iptq-" + VERSION + ".jar").toString(), "demo");
      assertFalse(jarOut.contains("add-opens"), jarOut);
      DemoEndToEndTest.assertAnswer(jarOut, home);
    } finally {
      writable(home);
    }
    assertEquals(before, snapshot(home), "the demo wrote nothing into the install folder");
  }

  @Test
  void launchersKeepTheirLineEndingsAndModes() throws Exception {
    Path home = installed(".tar.gz");
    byte[] cmd = Files.readAllBytes(home.resolve("bin/iptq.cmd"));
    String text = new String(cmd, StandardCharsets.US_ASCII);
    assertTrue(text.endsWith("\r\n"), "iptq.cmd ends with CRLF");
    assertEquals(text.split("\n", -1).length - 1, text.split("\r\n", -1).length - 1, "every line of iptq.cmd ends in CRLF");
    assertTrue(text.contains("--add-opens=java.base/java.nio=ALL-UNNAMED") && text.contains("%IPTQ_JAVA_OPTS%")
        && text.contains("%*"), text);
    String sh = Files.readString(home.resolve("bin/iptq"));
    assertTrue(sh.startsWith("#!/bin/sh\n"), "POSIX sh");
    assertFalse(sh.contains("\r"), "no CR in bin/iptq");
    assertTrue(Files.isExecutable(home.resolve("bin/iptq")), "bin/iptq is executable");
    if (Required.isOnPath("dash")) run(tmp, Map.of(), 30, "dash", "-n", home.resolve("bin/iptq").toString());
  }

  @Test
  void noticeNamesEveryBundledLibrary() throws Exception {
    Path home = installed(".tar.gz");
    String notice = Files.readString(home.resolve("NOTICE"));
    String license = Files.readString(home.resolve("LICENSE"));
    assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004")
        && license.contains("END OF TERMS AND CONDITIONS"), "LICENSE is the Apache-2.0 text");
    List<String> missing = new ArrayList<>();
    try (Stream<Path> s = Files.list(home.resolve("lib"))) {
      for (Path jar : s.sorted().toList()) {
        String name = jar.getFileName().toString();
        if (name.equals("iptq-" + VERSION + ".jar")) continue;
        String artifact = name.replaceFirst("-\\d[^-]*\\.jar$", "");
        if (!notice.contains(artifact)) missing.add(name);
      }
    }
    assertEquals(List.of(), missing, "lib/ jars that NOTICE does not name");
  }

  @Test
  void launcherChecksForJava17AndPassesIptqJavaOpts() throws Exception {
    Path home = installed(".tar.gz");
    Path iptq = home.resolve("bin/iptq");

    // IPTQ_JAVA_OPTS reaches the JVM, split into words.
    String shown = run(tmp, Map.of("IPTQ_JAVA_OPTS", "-XshowSettings:properties -Diptq.test.opt=a*b"), 120,
        iptq.toString(), "--version");
    assertTrue(shown.contains("iptq.test.opt = a*b"), shown);
    assertTrue(shown.contains("iptq " + VERSION), shown);

    // An old Java: from its home's release file, and from java -version where there is none.
    Path old = fakeJava(tmp.resolve("jdk11"), "openjdk version \"11.0.2\" 2019-01-15", "JAVA_VERSION=\"11.0.2\"");
    Result r = runAllowingFailure(tmp, Map.of("JAVA_HOME", old.toString()), iptq.toString(), "demo");
    assertEquals(2, r.exit(), r.out());
    assertEquals("iptq: needs Java 17 or newer, but " + old.resolve("bin/java") + " is version 11.0.2:"
        + " install a newer one and put it on PATH or set JAVA_HOME\n", r.out());
    Path eight = fakeJava(tmp.resolve("jre8"), "java version \"1.8.0_392\"", null);
    r = runAllowingFailure(tmp, Map.of("JAVA_HOME", eight.toString()), iptq.toString(), "demo");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().contains("is version 1.8.0_392"), r.out());

    // No Java at all: a PATH with only the tools the script itself uses.
    Path bin = Files.createDirectories(tmp.resolve("bin-without-java"));
    for (String tool : List.of("readlink", "dirname", "sed", "head")) {
      Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
    }
    Map<String, String> env = new TreeMap<>(Map.of("PATH", bin.toString()));
    env.put("JAVA_HOME", "");
    r = runAllowingFailure(tmp, env, "/bin/sh", iptq.toString(), "demo");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().startsWith("iptq: no Java found: install Java 17 or newer"), r.out());
  }

  /** A Java home whose bin/java prints {@code versionLine} as java -version does, and exits 0. */
  private static Path fakeJava(Path home, String versionLine, String releaseLine) throws IOException {
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\necho '" + versionLine + "' >&2\n");
    java.toFile().setExecutable(true);
    if (releaseLine != null) Files.writeString(home.resolve("release"), releaseLine + "\n");
    return home;
  }

  /** Every file's size and modification time, by path. */
  static Map<String, Long> snapshot(Path root) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        m.put(root.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
            Files.isDirectory(p) ? Files.list(p).count() : Files.size(p) * 31 + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }

  private static void readOnly(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        perms.removeAll(Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
        Files.setPosixFilePermissions(p, perms);
      }
    }
  }

  private static void writable(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        perms.add(PosixFilePermission.OWNER_WRITE);
        Files.setPosixFilePermissions(p, perms);
      }
    }
  }

  record Result(int exit, String out) {}

  static Result runAllowingFailure(Path cwd, Map<String, String> env, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("iptq-it", ".out");
    try {
      Process p = pb.redirectOutput(out.toFile()).start();
      assertTrue(p.waitFor(600, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static String run(Path cwd, Map<String, String> env, int timeout, String... cmd) throws Exception {
    Result r = runAllowingFailure(cwd, env, cmd);
    assertEquals(0, r.exit(), String.join(" ", cmd) + ":\n" + r.out());
    return r.out();
  }
}
