package iptq.symsrv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.image.PeFile;
import iptq.symbols.PdbFile;
import iptq.symbols.PdbId;
import iptq.testing.Fixtures;
import java.io.IOException;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The symbol server client against a real HTTP server on 127.0.0.1 serving the sample's store. */
class SymbolServerTest {
  static final Path BIN = Fixtures.projectDir().resolve("sample/bin");

  @TempDir Path dir;
  Path served;
  StoreHttpServer http;

  /** A store made by {@link StoreWriter} from every PE and PDB of the sample. */
  static Path buildStore(Path store) throws IOException {
    try (Stream<Path> s = Files.list(BIN)) {
      for (Path f : s.sorted().toList()) StoreWriter.add(store, f);
    }
    return store;
  }

  @BeforeEach
  void start() throws IOException {
    served = buildStore(dir.resolve("served"));
    http = new StoreHttpServer(served);
  }

  @AfterEach
  void stop() {
    http.close();
  }

  private SymbolServer client(String path, SymbolServer.Options o) {
    return new SymbolServer(StorePath.parse(List.of(path), dir.resolve("default-cache")), o);
  }

  private static SymbolServer.Options online() {
    return SymbolServer.Options.defaults().withTimeout(Duration.ofSeconds(10), 1);
  }

  static StoreKey pdbKey(String name) {
    PdbFile.Identity id = PdbFile.identity(BIN.resolve(name));
    return StoreKey.pdb(new PdbId(name, id.guid(), id.age()));
  }

  @Test
  void storeLayoutKeysAsSymstoreWritesThem() {
    try (PeFile pe = PeFile.open(BIN.resolve("sampdrv.sys"))) {
      StoreKey k = StoreWriter.keyOf(BIN.resolve("sampdrv.sys"));
      assertEquals(String.format("%08X%x", pe.timeDateStamp(), pe.sizeOfImage()), k.index());
      assertTrue(Files.isRegularFile(served.resolve(k.relative())), k.relative());
    }
    StoreKey p = pdbKey("sampdrv.pdb");
    assertTrue(p.index().matches("[0-9A-F]{32}[0-9A-F]+"), p.index());
    assertTrue(Files.isRegularFile(served.resolve("sampdrv.pdb").resolve(p.index()).resolve("sampdrv.pdb")));
  }

  @Test
  void downloadsIntoTheCacheThenOfflineUsesTheCacheAlone() throws IOException {
    Path cache = dir.resolve("cache");
    String path = "srv*" + cache + "*" + http.url() + "/";
    StoreKey pdb = pdbKey("samplib.pdb"), dll = StoreWriter.keyOf(BIN.resolve("samplib.dll"));
    Map<StoreKey, Path> got = client(path, online()).findAll(List.of(pdb, dll, pdb));
    assertEquals(cache.resolve(pdb.relative()).toAbsolutePath().normalize(), got.get(pdb).toAbsolutePath().normalize());
    assertArrayEquals(Files.readAllBytes(BIN.resolve("samplib.pdb")), Files.readAllBytes(got.get(pdb)));
    assertArrayEquals(Files.readAllBytes(BIN.resolve("samplib.dll")), Files.readAllBytes(cache.resolve(dll.relative())));
    assertEquals(1, http.requests("/" + pdb.relative()), "asked once though wanted twice");
    int before = http.requests();
    SymbolServer offline = client(path, online().withOffline(true));
    assertEquals(got, offline.findAll(List.of(pdb, dll)));
    assertNull(offline.find(pdbKey("ntstub.pdb")), "not in the cache, and offline");
    assertEquals(before, http.requests(), "offline: no request");
    // Online again, the cache answers: still no request.
    assertNotNull(client(path, online()).find(pdb));
    assertEquals(before, http.requests());
  }

  @Test
  void aFileFoundUpstreamIsCopiedIntoEachStoreBeforeIt() throws IOException {
    Path a = dir.resolve("a"), b = dir.resolve("b");
    StoreKey k = pdbKey("ntstub.pdb");
    Path got = client("srv*" + a + "*" + b + "*" + http.url(), online()).find(k);
    assertEquals(a.resolve(k.relative()).toAbsolutePath().normalize(), got.toAbsolutePath().normalize());
    assertTrue(Files.isRegularFile(b.resolve(k.relative())), "the downstream store b has it too");
    // Found in b (local), it is copied into a, which lacks it, without asking the server.
    Files.delete(a.resolve(k.relative()));
    int before = http.requests();
    assertNotNull(client("srv*" + a + "*" + b + "*" + http.url(), online()).find(k));
    assertTrue(Files.isRegularFile(a.resolve(k.relative())));
    assertEquals(before, http.requests());
  }

  @Test
  void severalServersAreTriedInOrder() throws IOException {
    Path other = Files.createDirectories(dir.resolve("empty-store"));
    try (StoreHttpServer empty = new StoreHttpServer(other)) {
      Path cache = dir.resolve("c");
      StoreKey k = pdbKey("sampapp.pdb");
      Path got = client("srv*" + cache + "*" + empty.url() + "*" + http.url(), online()).find(k);
      assertNotNull(got);
      assertEquals(1, empty.requests("/" + k.relative()));
      assertEquals(1, http.requests("/" + k.relative()));
    }
  }

  @Test
  void srvWithoutACacheUsesTheDefaultCacheAndCacheEntriesCacheWhatFollows() {
    StorePath p = StorePath.parse(List.of("srv*https://msdl.microsoft.com/download/symbols"), Path.of("/d"));
    assertEquals(List.of(List.of(new StorePath.Local(Path.of("/d")),
        new StorePath.Server(URI.create("https://msdl.microsoft.com/download/symbols")))), p.chains());
    p = StorePath.parse(List.of("cache*/c;C:/plain;symsrv*symsrv.dll*/s*https://x/;bogus*y"), Path.of("/d"));
    assertEquals(List.of(Path.of("C:/plain")), p.folders());
    assertEquals(List.of(new StorePath.Local(Path.of("/c")), new StorePath.Local(Path.of("/s")),
        new StorePath.Server(URI.create("https://x"))), p.chains().get(1));
    assertEquals(List.of("bogus*y"), p.ignored());
    assertEquals(List.of(Path.of("C:/plain"), Path.of("/c"), Path.of("/s")), p.searchDirs());
    assertTrue(p.hasServer());
  }

  @Test
  void aNotFoundIsAskedOncePerRun() {
    SymbolServer s = client("srv*" + dir.resolve("cache") + "*" + http.url(), online());
    StoreKey missing = new StoreKey("nothere.pdb", "0123456789ABCDEF0123456789ABCDEF1");
    assertNull(s.find(missing));
    assertNull(s.find(missing));
    assertTrue(s.findAll(List.of(missing, missing)).isEmpty());
    assertEquals(1, http.requests("/" + missing.relative()));
    assertEquals(1, http.requests("/nothere.pdb/" + missing.index() + "/nothere.pd_"));
    assertEquals(1, http.requests("/nothere.pdb/" + missing.index() + "/file.ptr"));
  }

  @Test
  void aFilePtrRedirectIsFollowed() throws IOException {
    Path cache = dir.resolve("cache");
    StoreKey k = pdbKey("sampdrv.pdb");
    Files.delete(served.resolve(k.relative()));
    Path elsewhere = Files.copy(BIN.resolve("sampdrv.pdb"), dir.resolve("moved.pdb"));
    http.serve("/sampdrv.pdb/" + k.index() + "/file.ptr", "PATH:" + elsewhere + "\r\n");
    Path got = client("srv*" + cache + "*" + http.url(), online()).find(k);
    assertNotNull(got);
    assertArrayEquals(Files.readAllBytes(elsewhere), Files.readAllBytes(cache.resolve(k.relative())));
    // A PATH: that is a URL is fetched from there.
    StoreKey dll = StoreWriter.keyOf(BIN.resolve("samplib.dll"));
    Path moved = Files.createDirectories(served.resolve("moved"));
    Files.move(served.resolve(dll.relative()), moved.resolve("x.dll"));
    http.serve("/samplib.dll/" + dll.index() + "/file.ptr", "PATH:" + http.url() + "/moved/x.dll");
    assertNotNull(client("srv*" + cache + "*" + http.url(), online()).find(dll));
    assertArrayEquals(Files.readAllBytes(BIN.resolve("samplib.dll")), Files.readAllBytes(cache.resolve(dll.relative())));
  }

  @Test
  void aFilePtrMessageAndACompressedFileAreReported() {
    SymbolServer s = client("srv*" + dir.resolve("cache") + "*" + http.url(), online());
    StoreKey m = new StoreKey("secret.pdb", "00000000000000000000000000000000" + "1");
    http.serve("/secret.pdb/" + m.index() + "/file.ptr", "MSG:this file is withheld");
    StoreKey c = new StoreKey("packed.pdb", "11111111111111111111111111111111" + "2");
    http.serve("/packed.pdb/" + c.index() + "/packed.pd_", "MSCF not really");
    assertNull(s.find(m));
    assertNull(s.find(c));
    String w = String.join("\n", s.drainWarnings());
    assertTrue(w.contains("secret.pdb: " + http.url() + " says: this file is withheld"), w);
    assertTrue(w.contains("packed.pd_ (a CAB archive), which iptq cannot expand"), w);
    assertTrue(w.contains(dir.resolve("cache").resolve("packed.pdb").toString()), w);
  }

  @Test
  void namesFromFilesNeverLeaveTheCache() throws IOException {
    assertEquals("evil.pdb", new StoreKey("..\\..\\windows\\evil.pdb", "AB1").file());
    assertEquals("evil.pdb", new StoreKey("/etc/../evil.pdb", "AB1").file());
    for (String bad : List.of("..", "x/..", "C:evil.pdb", ".", "", "a\u0000b.pdb", "a*b")) {
      assertThrows(IllegalArgumentException.class, () -> new StoreKey(bad, "AB1"), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new StoreKey("x.pdb", "../../AB"));
    // A PDB name with directories, as an RSDS record may carry: fetched by its plain name, kept in the cache.
    Path cache = dir.resolve("cache");
    PdbFile.Identity id = PdbFile.identity(BIN.resolve("ntstub.pdb"));
    StoreKey hostile = StoreKey.pdb(new PdbId("..\\..\\..\\ntstub.pdb", id.guid(), id.age()));
    Path got = client("srv*" + cache + "*" + http.url(), online()).find(hostile);
    assertTrue(got.toAbsolutePath().normalize().startsWith(cache.toAbsolutePath().normalize()), got.toString());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("cache", "served"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void aStalledServerTimesOutWithAWarningAndIsNotAskedAgain() {
    http.stall("/");
    SymbolServer s = client("srv*" + dir.resolve("cache") + "*" + http.url(),
        SymbolServer.Options.defaults().withTimeout(Duration.ofMillis(300), 1));
    long t0 = System.nanoTime();
    assertNull(s.find(pdbKey("ntstub.pdb")));
    assertNull(s.find(pdbKey("sampdrv.pdb")));
    double secs = (System.nanoTime() - t0) / 1e9;
    assertTrue(secs < 5, secs + " s");
    assertEquals(2, http.requests(), "two attempts for the first file, none for the second");
    List<String> w = s.drainWarnings();
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("symbol server " + http.url() + ": no answer within 0.3 s"), w.get(0));
    assertTrue(w.get(0).endsWith("not asked again in this run"), w.get(0));
  }

  @Test
  void proxiesFromTheEnvironment() {
    var sel = Proxies.selector(Map.of("HTTPS_PROXY", "http://proxy.example:3128", "NO_PROXY", ".corp.example"));
    if (System.getProperty("https.proxyHost") == null && !Boolean.getBoolean("java.net.useSystemProxies")) {
      Proxy p = sel.select(URI.create("https://msdl.microsoft.com/download/symbols")).get(0);
      assertEquals(Proxy.Type.HTTP, p.type());
      assertEquals("proxy.example:3128", p.address().toString().replace("/<unresolved>", ""));
      assertEquals(Proxy.NO_PROXY, sel.select(URI.create("https://sym.corp.example/")).get(0));
      assertEquals(Proxy.NO_PROXY, sel.select(URI.create("http://127.0.0.1:8080/")).get(0));
    }
    assertFalse(Proxies.direct("msdl.microsoft.com", null));
  }
}
