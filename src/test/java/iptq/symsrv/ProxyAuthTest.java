package iptq.symsrv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.store.Store;
import iptq.testing.Fixtures;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbols through a proxy that wants a password ({@link AuthProxy}: a real proxy on 127.0.0.1
 * answering 407 until the request carries Basic credentials): the user and password of
 * HTTPS_PROXY/HTTP_PROXY are given when challenged, for a plain http:// server (the request goes
 * to the proxy) and for an https:// one (a CONNECT tunnel, where the JDK refuses Basic unless
 * told otherwise); wrong ones are one warning and the server is not asked again.
 */
class ProxyAuthTest {
  static final Path BIN = Fixtures.projectDir().resolve("sample/bin");
  static final String USER = "sym user", PASSWORD = "p@ss:w0rd";
  /** USER:PASSWORD percent-encoded, as in a proxy URL. */
  static final String USERINFO = "sym%20user:p%40ss%3Aw0rd";

  @TempDir Path dir;

  private Path store() throws Exception {
    Path store = dir.resolve("served");
    try (Stream<Path> s = Files.list(BIN)) {
      for (Path f : s.sorted().toList()) StoreWriter.add(store, f);
    }
    return store;
  }

  private SymbolServer client(String url, Map<String, String> env) {
    Path cache = dir.resolve("cache");
    return new SymbolServer(StorePath.parse(List.of("srv*" + cache + "*" + url), cache),
        SymbolServer.Options.defaults().withTimeout(java.time.Duration.ofSeconds(10), 0), env);
  }

  @Test
  void httpServerThroughAProxyThatWantsBasic() throws Exception {
    try (StoreHttpServer srv = new StoreHttpServer(store()); AuthProxy proxy = new AuthProxy(USER, PASSWORD)) {
      // a host the client does not take for loopback, so it asks the proxy; the proxy knows where it is
      String url = "http://symbols.invalid:" + srv.port();
      SymbolServer c = client(url, Map.of("HTTP_PROXY", "http://" + USERINFO + "@127.0.0.1:" + proxy.port()));
      StoreKey k = StoreWriter.keyOf(BIN.resolve("sampdrv.pdb"));
      Path got = c.find(k);
      assertNotNull(got, c.drainWarnings().toString());
      assertArrayEquals(Files.readAllBytes(BIN.resolve("sampdrv.pdb")), Files.readAllBytes(got));
      assertEquals(List.of(), c.drainWarnings());
      String target = url + "/" + k.relative().toString().replace('\\', '/');
      List<AuthProxy.Seen> seen = proxy.seen();
      // challenged first, then the same request with the credentials
      assertEquals(new AuthProxy.Seen("GET", target, 407), seen.get(0), seen.toString());
      assertEquals(new AuthProxy.Seen("GET", target, 200), seen.get(1), seen.toString());
      assertEquals(1, srv.requests("/" + k.relative().toString().replace('\\', '/')));
    }
  }

  @Test
  void wrongCredentialsAreOneWarningAndTheServerIsNotAskedAgain() throws Exception {
    try (StoreHttpServer srv = new StoreHttpServer(store()); AuthProxy proxy = new AuthProxy(USER, PASSWORD)) {
      String url = "http://symbols.invalid:" + srv.port();
      SymbolServer c = client(url, Map.of("HTTP_PROXY", "http://sym%20user:wrong@127.0.0.1:" + proxy.port()));
      assertNull(c.find(StoreWriter.keyOf(BIN.resolve("sampdrv.pdb"))));
      List<String> w = c.drainWarnings();
      assertEquals(1, w.size(), w.toString());
      assertTrue(w.get(0).startsWith("symbol server " + url + ": the proxy refused the request (HTTP 407"), w.get(0));
      assertTrue(w.get(0).contains("HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT"), w.get(0));
      int asked = proxy.seen().size();
      assertNull(c.find(StoreWriter.keyOf(BIN.resolve("ntstub.pdb"))));
      assertEquals(asked, proxy.seen().size(), "not asked again");
      assertEquals(0, srv.requests(), "nothing reached the server");
      // no credentials at all: the same warning
      SymbolServer none = client(url, Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxy.port()));
      assertNull(none.find(StoreWriter.keyOf(BIN.resolve("sampdrv.pdb"))));
      assertTrue(none.drainWarnings().get(0).contains("HTTP 407 Proxy Authentication Required"));
    }
  }

  @Test
  void credentialsFromTheUrlAndFromJdkProperties() {
    List<Proxies.Credentials> c = Proxies.credentials(Map.of("https_proxy", "http://" + USERINFO + "@proxy.example:3128"));
    if (System.getProperty("https.proxyHost") == null && System.getProperty("http.proxyHost") == null) {
      assertEquals(1, c.size());
      assertEquals("proxy.example", c.get(0).host());
      assertEquals(3128, c.get(0).port());
      assertEquals(USER, c.get(0).user());
      assertEquals(PASSWORD, new String(c.get(0).password()));
      assertEquals(List.of(), Proxies.credentials(Map.of("HTTPS_PROXY", "http://proxy.example:3128")));
    }
  }

  /**
   * The whole path as a user has it: {@code iptq ingest} in its own JVM (the JDK reads its
   * tunnelling setting once per process), HTTPS_PROXY with credentials, an https:// symbol server
   * with a certificate made here by keytool that the child JVM trusts; the .etl alone decodes
   * with the PE images and PDBs fetched through the tunnel.
   */
  @Test
  void httpsServerThroughATunnelInAnIngest() throws Exception {
    Path ks = dir.resolve("server.p12");
    Process kt = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "sym", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=symbols.invalid",
        "-ext", "SAN=dns:symbols.invalid", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    String ktOut = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, kt.waitFor(), ktOut);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);

    try (StoreHttpServer srv = new StoreHttpServer(store(), tls); AuthProxy proxy = new AuthProxy(USER, PASSWORD)) {
      Path db = dir.resolve("t.duckdb");
      Path cache = dir.resolve("cache");
      String url = "https://symbols.invalid:" + srv.port();
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
          "-Djavax.net.ssl.trustStore=" + ks, "-Djavax.net.ssl.trustStorePassword=changeit",
          "-Djavax.net.ssl.trustStoreType=PKCS12",
          "-cp", System.getProperty("java.class.path"), "iptq.cli.Main", "ingest",
          Fixtures.projectDir().resolve("sample/data/kernel-syscall.etl").toString(),
          "--symbols", "srv*" + cache + "*" + url, "-o", db.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().remove("_NT_SYMBOL_PATH");
      pb.environment().remove("NO_PROXY");
      pb.environment().remove("no_proxy");
      pb.environment().put("HTTPS_PROXY", "http://" + USERINFO + "@127.0.0.1:" + proxy.port());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("iptq: 8 segment(s) decoded: 8 ok"), out);
      List<AuthProxy.Seen> seen = proxy.seen();
      String tunnel = "symbols.invalid:" + srv.port();
      assertTrue(seen.contains(new AuthProxy.Seen("CONNECT", tunnel, 407)), seen.toString());
      assertTrue(seen.contains(new AuthProxy.Seen("CONNECT", tunnel, 200)), seen.toString());
      assertTrue(seen.stream().allMatch(s -> s.method().equals("CONNECT")), seen.toString());
      try (Connection c = Store.open(db, true); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT code_source, symbol_source FROM modules WHERE name = 'sampdrv.sys'")) {
        assertTrue(rs.next());
        assertEquals("pe+dvrt", rs.getString(1));
        assertEquals("pdb", rs.getString(2));
      }
    }
  }
}
