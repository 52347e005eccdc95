package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * {@code iptq view}'s page for the bundled sample, rendered by headless Chromium: the functions
 * appear as text with the nesting the decode shows, the trigger is marked, the functions-before
 * answer is the report's, search and links work, and no request leaves the file.
 */
class ViewPageBrowserTest {
  static Path dir;
  static Path page;
  static Chromium browser;

  @BeforeAll
  static void write() throws Exception {
    Chromium.require();
    dir = Files.createTempDirectory("iptq-view-test");
    page = dir.resolve("sample.html");
    try (Connection conn = SampleDatabase.open(); Writer w = Files.newBufferedWriter(page, StandardCharsets.UTF_8)) {
      ViewPage.write(conn, Selection.ALL, ViewPage.DEFAULT_CAP, "sample.duckdb", "test", w);
    }
    browser = Chromium.start(1400, 1000);
  }

  @AfterAll
  static void close() throws Exception {
    if (browser != null) browser.close();
  }

  void open(String fragment) throws InterruptedException {
    browser.driver.get(page.toUri() + fragment);
    browser.js("document.body.dataset.ready = ''");
    browser.driver.navigate().refresh();
    browser.await("document.body.dataset.ready === 'true'", Duration.ofSeconds(60));
  }

  @Test
  void flameChartNamesTheFunctionsNestedAsCalled() throws Exception {
    open("#segment=10");
    try (Connection conn = SampleDatabase.open()) {
      Set<String> calls = SampleDatabase.callPairs(conn);
      // The call tree: nested lists, each child a function its parent was seen to call.
      @SuppressWarnings("unchecked")
      List<String> pairs = (List<String>) browser.js("""
          return [...document.querySelectorAll('#calltree li')].map(li => {
            const up = li.parentElement.closest('li');
            return (up ? up.querySelector(':scope > .fn').textContent : '') + ' > ' + li.querySelector(':scope > .fn').textContent;
          });""");
      assertTrue(pairs.size() > 100, "call tree items: " + pairs.size());
      long nested = 0;
      for (String p : pairs) {
        if (p.startsWith(" > ")) continue;
        assertTrue(calls.contains(p), "drawn nested but never called so: " + p);
        nested++;
      }
      assertTrue(nested > 100);
      assertTrue(pairs.contains("SampKiSystemCall64 > SampSystemService"), pairs.toString());
      assertTrue(pairs.contains("SampSystemService > SampTreeChecksum"), pairs.toString());
      assertTrue(pairs.contains("SampSystemService > RtlComputeCrc32"), pairs.toString());

      // The flame chart itself: SVG text, callers in the row above their callees.
      double kis = row("#flamechart", "SampKiSystemCall64");
      double svc = row("#flamechart", "SampSystemService");
      assertTrue(kis < svc, "SampKiSystemCall64 at y " + kis + ", SampSystemService at " + svc);
      assertTrue(texts("#flamechart").contains("SystemCallExit ▸"), "the trigger is marked: " + texts("#flamechart"));

      // Beside it: the functions-before answer for this segment, oldest first.
      List<String> before = new ArrayList<>();
      for (WebElement li : browser.driver.findElements(By.cssSelector("#before li a"))) before.add(li.getText());
      List<String> expected = new ArrayList<>();
      try (var st = conn.createStatement(); var rs = st.executeQuery(
          "SELECT function FROM function_runs WHERE segment_id = 10 AND back <= 10 ORDER BY back DESC")) {
        while (rs.next()) expected.add(rs.getString(1));
      }
      assertEquals(expected, before);
      assertEquals("Segment 10 · SystemCallExit · sampapp.exe tid 696", browser.driver.findElement(By.id("segtitle")).getText());
    }
    assertEquals(List.of(), browser.severe());
  }

  @Test
  void flameGraphSearchAndLinks() throws Exception {
    open("");
    List<String> graph = texts("#flamegraph");
    for (String f : List.of("sampapp.exe", "SampMain", "SampRunScript", "SampKiSystemCall64", "SampSystemService")) {
      assertTrue(graph.contains(f), f + " not in the flame graph: " + graph);
    }
    assertTrue(row("#flamegraph", "sampapp.exe") > row("#flamegraph", "SampMain"), "a flame graph grows upwards");
    WebElement search = browser.driver.findElement(By.id("search"));
    search.sendKeys("TreeCheck");
    browser.await("document.querySelectorAll('#matches li a').length > 0", Duration.ofSeconds(10));
    List<WebElement> links = browser.driver.findElements(By.cssSelector("#matches li a"));
    assertEquals("SampTreeChecksum", links.get(0).getText());
    // Its segments: the SystemCallExit segments that ran the tree checksum; follow the first.
    String seg = links.get(1).getText();
    links.get(1).click();
    browser.await("document.getElementById('segtitle').textContent.startsWith('Segment " + seg + " ')", Duration.ofSeconds(10));
    assertTrue(browser.driver.getCurrentUrl().endsWith("#segment=" + seg + "&function=SampTreeChecksum"));
    assertFalse(browser.driver.findElement(By.id("function")).getAttribute("hidden") != null);
    // The segments the function page lists are those whose blocks ran it.
    List<String> listed = new ArrayList<>();
    for (WebElement a : browser.driver.findElements(By.cssSelector("#fsegments li a"))) listed.add(a.getText());
    try (Connection conn = SampleDatabase.open()) {
      List<String> ran = new ArrayList<>();
      try (var st = conn.createStatement(); var rs = st.executeQuery(
          "SELECT DISTINCT segment_id FROM blocks WHERE function = 'SampTreeChecksum' ORDER BY 1")) {
        while (rs.next()) ran.add("segment " + rs.getLong(1));
      }
      assertEquals(ran, listed);
    }
    assertEquals(List.of(), browser.severe());
  }

  @Test
  void noRequestLeavesThePage() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      hits.incrementAndGet();
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x.png";
      // The log sees requests: a page without the policy that loads from the local server.
      Path control = dir.resolve("control.html");
      Files.writeString(control, "<!DOCTYPE html><img src=\"" + url + "\"><p id=done>x</p>");
      browser.requests();
      browser.driver.get(control.toUri().toString());
      browser.await("document.getElementById('done') && document.images[0].complete", Duration.ofSeconds(10));
      assertTrue(browser.requests().contains(new Chromium.Request(url, null)), "the DevTools log sees a page's requests");
      assertEquals(1, hits.get());

      // The view page: the only request is for the file itself.
      open("#segment=19");
      Thread.sleep(500);
      List<Chromium.Request> requests = browser.requests();
      assertTrue(requests.contains(new Chromium.Request(page.toUri().toString(), null)), requests.toString());
      for (Chromium.Request r : requests) assertTrue(r.url().startsWith("file:"), "the page sent " + r);
      // And its policy refuses any other: an image and a fetch added to it are blocked unsent.
      browser.js("const i = new Image(); i.src = arguments[0]; document.body.appendChild(i);"
          + "fetch(arguments[0] + '?fetch').catch(() => {});", url);
      Thread.sleep(1000);
      requests = browser.requests();
      assertTrue(requests.contains(new Chromium.Request(url, "csp")), requests.toString());
      for (Chromium.Request r : requests) assertTrue(r.blockedReason() != null || r.url().startsWith("file:"), "sent: " + r);
      assertEquals(1, hits.get(), "a request reached the server");
      String csp = browser.driver.findElement(By.cssSelector("meta[http-equiv='Content-Security-Policy']")).getAttribute("content");
      assertTrue(csp.startsWith("default-src 'none';"), csp);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aCappedPageSaysWhichSegmentsItDraws() throws Exception {
    Path capped = dir.resolve("capped.html");
    try (Connection conn = SampleDatabase.open(); Writer w = Files.newBufferedWriter(capped, StandardCharsets.UTF_8)) {
      ViewPage.Written got = ViewPage.write(conn, Selection.ALL, 5, "sample.duckdb", "test", w);
      assertEquals(new ViewPage.Written(24, 5, Files.size(capped)), got);
    }
    browser.driver.get(capped.toUri().toString());
    browser.await("document.body.dataset.ready === 'true'", Duration.ofSeconds(60));
    WebElement note = browser.driver.findElement(By.id("cap"));
    assertTrue(note.isDisplayed());
    assertTrue(note.getText().startsWith("segments 1–5 of 24 are drawn in detail"), note.getText());
    // All 24 are listed; the 5 drawn ones link to their flame charts.
    assertEquals(24, browser.driver.findElements(By.cssSelector("#segtable tbody tr")).size());
    assertEquals(5, browser.driver.findElements(By.cssSelector("#segtable tbody a")).size());
  }

  /** The SVG texts drawn in {@code chart}. */
  @SuppressWarnings("unchecked")
  static List<String> texts(String chart) {
    return (List<String>) browser.js("return [...document.querySelectorAll(arguments[0] + ' svg text')].map(t => t.textContent)", chart);
  }

  /** The vertical middle of the first SVG text reading exactly {@code name} in {@code chart}. */
  static double row(String chart, String name) {
    Object y = browser.js("""
        const t = [...document.querySelectorAll(arguments[0] + ' svg text')].find(t => t.textContent === arguments[1]);
        if (!t) return null;
        const r = t.getBoundingClientRect();
        return r.top + r.height / 2;""", chart, name);
    assertTrue(y != null, name + " is not drawn as text in " + chart + ": " + texts(chart));
    return ((Number) y).doubleValue();
  }
}
