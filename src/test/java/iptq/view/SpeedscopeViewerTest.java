package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Required;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speedscope export loaded into speedscope itself (the web app its npm package ships,
 * installed by {@code npm ci --prefix src/test/viewers}) in headless Chromium, the way its own
 * command line hands it a file: every segment is a profile, and an instruction-axis profile
 * weighs as many instructions as the segment decoded.
 */
class SpeedscopeViewerTest {
  static final Path APP = Path.of("src/test/viewers/node_modules/speedscope/dist/release/index.html");

  @Test
  void speedscopeOpensEveryProfile(@TempDir Path dir) throws Exception {
    Chromium.require();
    Required.that(Files.isRegularFile(APP), "speedscope's web app is not installed (npm ci --prefix src/test/viewers)");
    Path profile = dir.resolve("sample.speedscope.json");
    try (Connection conn = SampleDatabase.open(); Chromium browser = Chromium.start(1400, 900)) {
      Pictures.SPEEDSCOPE.write(conn, Selection.ALL, profile, "test");
      // speedscope's CLI writes this script and opens index.html#localProfilePath=SCRIPT.
      Path script = dir.resolve("profile.js");
      Files.writeString(script, "speedscope.loadFileFromBase64(\"sample.speedscope.json\", \""
          + Base64.getEncoder().encodeToString(Files.readAllBytes(profile)) + "\")", StandardCharsets.UTF_8);
      browser.driver.get(APP.toAbsolutePath().toUri() + "#localProfilePath=" + script);
      browser.await("document.title === 'sample.speedscope.json - speedscope'", Duration.ofSeconds(60));
      browser.await("document.body.innerText.includes('(1/24)')", Duration.ofSeconds(30));
      String text = (String) browser.js("return document.body.textContent");
      assertFalse(text.contains("Something went wrong"), text);
      try (var st = conn.createStatement(); var rs = st.executeQuery(
          "SELECT segment_id, \"trigger\", instructions FROM segments ORDER BY segment_id")) {
        while (rs.next()) {
          String name = "segment " + rs.getLong(1) + " · " + rs.getString(2) + " · ";
          assertTrue(text.contains(name), name + " not listed by speedscope");
        }
      }
      // The first profile (segment 17, no timing packets) is drawn with its 1,406 instructions.
      long insns = SampleDatabase.number(conn, "SELECT instructions FROM segments WHERE segment_id = 17");
      assertTrue(text.contains("segment 17 · SystemCallExit · sampapp.exe tid 780 (instructions)"
          + String.format(java.util.Locale.ROOT, "%,d", insns)), text);
      assertEquals(java.util.List.of(), browser.severe());
    }
  }

  @Test
  void speedscopeOpensTheChromeTraceWithEverySliceClosedInOrder(@TempDir Path dir) throws Exception {
    Chromium.require();
    Required.that(Files.isRegularFile(APP), "speedscope's web app is not installed (npm ci --prefix src/test/viewers)");
    Path trace = dir.resolve("sample.trace.json");
    try (Connection conn = SampleDatabase.open(); Chromium browser = Chromium.start(1400, 900)) {
      Pictures.CHROME_TRACE.write(conn, Selection.ALL, trace, "test");
      Path script = dir.resolve("trace.js");
      Files.writeString(script, "speedscope.loadFileFromBase64(\"sample.trace.json\", \""
          + Base64.getEncoder().encodeToString(Files.readAllBytes(trace)) + "\")", StandardCharsets.UTF_8);
      browser.driver.get(APP.toAbsolutePath().toUri() + "#localProfilePath=" + script);
      browser.await("document.title === 'sample.trace.json - speedscope'", Duration.ofSeconds(60));
      browser.await("document.body.innerText.includes('(1/3)')", Duration.ofSeconds(30));
      String text = (String) browser.js("return document.body.textContent");
      // One profile per thread, named by the process_name and thread_name metadata.
      for (String t : java.util.List.of("sampapp.exe (pid 648, trace 2) (pid 648), tid 696 (tid 696)",
          "sampapp.exe (pid 720, trace 3) (pid 720), tid 780 (tid 780)", "sampapp.exe (pid 888, trace 1) (pid 888), tid 892 (tid 892)")) {
        assertTrue(text.contains(t), t + " not in " + text);
      }
      // speedscope's importer says so on the console when an E does not close the innermost B.
      java.util.List<String> console = browser.console();
      assertTrue(console.stream().anyMatch(m -> m.contains("Importing as Trace Event Format profile")), console.toString());
      assertEquals(java.util.List.of(), console.stream().filter(m -> m.contains("Tried to end") || m.contains("unclosed")).toList());
      assertEquals(java.util.List.of(), browser.severe());
    }
  }
}
