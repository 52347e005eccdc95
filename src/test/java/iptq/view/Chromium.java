package iptq.view;

import iptq.testing.Required;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless chromium, driven through Debian's chromedriver (never a downloaded one), with
 * a new empty profile and the browser's own background traffic switched off; the DevTools
 * performance log records every request the page makes.
 */
final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static void require() {
    Required.that(Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
        "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
  }

  static Chromium start(int width, int height) throws IOException {
    require();
    Path profile = Files.createTempDirectory("iptq-chromium");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(BROWSER.toFile());
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-pings", "--disable-domain-reliability",
        "--disable-client-side-phishing-detection", "--disable-features=OptimizationHints,Translate,MediaRouter,LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults",
        // No name the browser itself might look up resolves (its own update and sign-in calls):
        // nothing leaves the machine; the loopback address stays reachable for the control test.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=" + width + "," + height, "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120));
    return new Chromium(d, profile);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits until {@code condition} (a JS expression) is true. */
  void await(String condition, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!Boolean.TRUE.equals(js("return !!(" + condition + ")"))) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + condition);
      Thread.sleep(100);
    }
  }

  /** A request the page started, and why the browser stopped it (null when it did not). */
  record Request(String url, String blockedReason) {}

  /** Every request the page started since the last call (DevTools Network events). */
  List<Request> requests() {
    java.util.LinkedHashMap<String, String> urls = new java.util.LinkedHashMap<>();
    java.util.Map<String, String> blocked = new java.util.HashMap<>();
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
      try {
        var msg = mapper.readTree(e.getMessage()).get("message");
        var params = msg.get("params");
        switch (msg.get("method").asText()) {
          case "Network.requestWillBeSent" -> urls.put(params.get("requestId").asText(), params.get("request").get("url").asText());
          case "Network.loadingFailed" -> blocked.put(params.get("requestId").asText(),
              params.has("blockedReason") ? params.get("blockedReason").asText() : null);
          default -> { }
        }
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    }
    List<Request> out = new ArrayList<>();
    urls.forEach((id, url) -> out.add(new Request(url, blocked.get(id))));
    return out;
  }

  private final List<LogEntry> console = new ArrayList<>();

  /** Every browser console message so far (reading the log empties it; these are kept). */
  List<String> console() {
    console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
    return console.stream().map(LogEntry::getMessage).toList();
  }

  /** The browser console's messages of level SEVERE (script errors, CSP violations). */
  List<String> severe() {
    console();
    return console.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> s = Files.walk(profile)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
