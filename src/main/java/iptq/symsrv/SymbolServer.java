package iptq.symsrv;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds files in the stores of a {@link StorePath}, downloading from its servers as symsrv does:
 * each chain is tried left to right; a file found in a later store is copied into every local
 * store before it, so the next run finds it in the first. Per file a server is asked for
 * {@code file/index/file}, then the compressed {@code file/index/fil_} (a CAB: reported, not
 * expanded — no kept Java library reads CAB), then {@code file/index/file.ptr} (a redirect:
 * {@code PATH:} a file or URL, or {@code MSG:} a message). A file no server has is remembered
 * for the run and not asked again; a server that does not answer (after the retries) is not asked
 * again either. One instance serves a whole run and may be used from several threads.
 */
public final class SymbolServer implements AutoCloseable {
  /**
   * {@code offline}: the local stores only. {@code timeout}: to connect and for the response
   * headers of one request. {@code retries}: further attempts after a failed one (timeouts,
   * connection errors, 5xx). {@code parallel}: downloads at once. Progress goes to {@code
   * progressOut} when {@code progress} (the command line decides: a terminal).
   */
  public record Options(boolean offline, Duration timeout, int retries, int parallel, boolean progress,
      PrintStream progressOut) {
    public static Options defaults() {
      return new Options(false, Duration.ofSeconds(30), 2, 4, false, System.err);
    }

    public Options withOffline(boolean o) {
      return new Options(o, timeout, retries, parallel, progress, progressOut);
    }

    public Options withTimeout(Duration t, int r) {
      return new Options(offline, t, r, parallel, progress, progressOut);
    }

    public Options withProgress(boolean p, PrintStream out) {
      return new Options(offline, timeout, retries, parallel, p, out);
    }
  }

  /** What symsrv sends; some servers and proxies treat other agents differently. */
  static final String USER_AGENT = "Microsoft-Symbol-Server/10.0.0.0 (iptq)";

  private final StorePath path;
  private final Options options;
  private HttpClient client;
  /** "server|file/index/file" asked and absent: not asked again this run. */
  private final Set<String> absent = ConcurrentHashMap.newKeySet();
  /** Servers that did not answer: not asked again this run. */
  private final Set<URI> dead = ConcurrentHashMap.newKeySet();
  /** Results by key, so a file is looked for once per run however many traces need it. */
  private final Map<StoreKey, java.util.concurrent.FutureTask<Path>> found = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
  private final AtomicInteger downloaded = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  public SymbolServer(StorePath path, Options options) {
    this(path, options, System.getenv());
  }

  /** {@code env}: where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (the process's environment). */
  SymbolServer(StorePath path, Options options, Map<String, String> env) {
    this.path = path;
    this.options = options;
    this.env = env;
    this.auth = Proxies.authenticator(Proxies.credentials(env));
    if (auth != null) {
      // The JDK refuses Basic for the CONNECT of an https:// request unless this property says
      // otherwise, read once when its HTTP classes load (the first HttpRequest built, so here,
      // before any). The user gave these credentials for this proxy, which sees them as curl
      // would send them; a value set with -D is kept.
      System.getProperties().putIfAbsent("jdk.http.auth.tunneling.disabledSchemes", "");
    }
  }

  private final Map<String, String> env;
  private final java.net.Authenticator auth;

  public StorePath path() {
    return path;
  }

  public Options options() {
    return options;
  }

  /** Files downloaded so far (not counting copies between local stores). */
  public int downloads() {
    return downloaded.get();
  }

  /** Warnings since the last call, one line each (a server that timed out, a compressed file, …). */
  public List<String> drainWarnings() {
    List<String> out = new ArrayList<>();
    for (String w; (w = warnings.poll()) != null; ) out.add(w);
    return out;
  }

  /** The local file for {@code key}, fetched if need be; null when no store has it. */
  public Path find(StoreKey key) {
    java.util.concurrent.FutureTask<Path> mine = new java.util.concurrent.FutureTask<>(() -> lookUp(key));
    java.util.concurrent.FutureTask<Path> task = found.putIfAbsent(key, mine);
    if (task == null) {
      task = mine;
      mine.run();
    }
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    }
  }

  /** {@link #find} for each key, {@link Options#parallel} at once; keys no store has are left out. */
  public Map<StoreKey, Path> findAll(Collection<StoreKey> keys) {
    List<StoreKey> todo = new ArrayList<>(new LinkedHashSet<>(keys));
    Map<StoreKey, Path> out = new LinkedHashMap<>();
    if (todo.isEmpty()) return out;
    Ticker ticker = new Ticker(todo.size());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(options.parallel(), todo.size())), r -> {
      Thread t = new Thread(r, "iptq-symsrv");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Path>> futures = new ArrayList<>();
      for (StoreKey k : todo) futures.add(pool.submit(() -> {
        try {
          return find(k);
        } finally {
          ticker.done();
        }
      }));
      for (int i = 0; i < todo.size(); i++) {
        Path p = futures.get(i).get();
        if (p != null) out.put(todo.get(i), p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching symbols", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
      ticker.end();
    }
    return out;
  }

  private Path lookUp(StoreKey key) {
    for (List<StorePath.Store> chain : path.chains()) {
      List<Path> before = new ArrayList<>(); // local stores of this chain that lack the file
      for (StorePath.Store s : chain) {
        if (s instanceof StorePath.Local l) {
          Path have = local(l.dir(), key);
          if (have != null) {
            for (Path d : before) copyInto(have, d, key);
            return have;
          }
          before.add(l.dir());
        } else if (s instanceof StorePath.Server srv && !options.offline() && !before.isEmpty()) {
          Path got = download(srv.uri(), key, before.get(0));
          if (got != null) {
            for (Path d : before.subList(1, before.size())) copyInto(got, d, key);
            return got;
          }
        }
      }
    }
    return null;
  }

  /** {@code dir/file/index/file}, or its lower-case form (stores written on Windows), if present. */
  private static Path local(Path dir, StoreKey key) {
    for (String name : new LinkedHashSet<>(List.of(key.file(), key.file().toLowerCase(Locale.ROOT)))) {
      Path p = dir.resolve(name).resolve(key.index()).resolve(name);
      if (Files.isRegularFile(p)) return p;
    }
    return null;
  }

  /** Where {@code key} goes in store {@code dir}: always inside it (the key's name is a plain name). */
  static Path target(Path dir, StoreKey key) {
    Path root = dir.toAbsolutePath().normalize();
    Path t = root.resolve(key.file()).resolve(key.index()).resolve(key.file()).normalize();
    if (!t.startsWith(root) || t.getNameCount() != root.getNameCount() + 3) {
      throw new IllegalArgumentException(key + ": would leave the store " + dir);
    }
    return t;
  }

  private void copyInto(Path from, Path dir, StoreKey key) {
    try (InputStream in = Files.newInputStream(from)) {
      store(in, dir, key);
    } catch (IOException e) {
      warnings.add("cannot copy " + from + " into the symbol store " + dir + ": " + e.getMessage());
    }
  }

  /** Writes {@code in} to the store through a temporary file, so no half file is ever found. */
  private Path store(InputStream in, Path dir, StoreKey key) throws IOException {
    Path t = target(dir, key);
    Files.createDirectories(t.getParent());
    Path tmp = Files.createTempFile(t.getParent(), "." + key.file(), ".part");
    try {
      long n = Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      bytes.addAndGet(n);
      try {
        Files.move(tmp, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        Files.move(tmp, t, StandardCopyOption.REPLACE_EXISTING);
      }
      return t;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The file from {@code server} into store {@code dir}, or null (absent, or the server is down). */
  private Path download(URI server, StoreKey key, Path dir) {
    String memo = server + "|" + key.relative();
    if (dead.contains(server) || absent.contains(memo)) return null;
    String base = server + "/" + enc(key.file()) + "/" + enc(key.index()) + "/";
    try {
      Path got = get(server, URI.create(base + enc(key.file())), dir, key);
      if (got != null) return got;
      if (get(server, URI.create(base + enc(key.compressedFile())), null, key) != null) {
        warnings.add(key.file() + ": " + server + " has only the compressed " + key.compressedFile()
            + " (a CAB archive), which iptq cannot expand (no kept Java library reads CAB): download "
            + base + key.compressedFile() + ", expand it (expand on Windows, cabextract or 7z elsewhere) and put it at "
            + target(dir, key));
        absent.add(memo);
        return null;
      }
      String ptr = text(server, URI.create(base + "file.ptr"));
      if (ptr != null) {
        Path p = followPointer(server, ptr.trim(), dir, key);
        if (p != null) return p;
      }
      absent.add(memo);
      return null;
    } catch (ServerDown e) {
      return null;
    } catch (IOException e) {
      warnings.add(key.file() + ": cannot write into the symbol store " + dir + ": " + e.getMessage());
      return null;
    }
  }

  /** A {@code file.ptr}: {@code PATH:where} (a file, or a URL) or {@code MSG:text}. */
  private Path followPointer(URI server, String ptr, Path dir, StoreKey key) throws IOException, ServerDown {
    if (ptr.regionMatches(true, 0, "MSG:", 0, 4)) {
      warnings.add(key.file() + ": " + server + " says: " + ptr.substring(4).trim());
      return null;
    }
    if (!ptr.regionMatches(true, 0, "PATH:", 0, 5)) {
      warnings.add(key.file() + ": " + server + "/" + key.file() + "/" + key.index() + "/file.ptr is neither PATH: nor MSG: ("
          + ptr.substring(0, Math.min(60, ptr.length())) + ")");
      return null;
    }
    String where = ptr.substring(5).trim();
    String lower = where.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      URI u = URI.create(where);
      return get(server, u, dir, key);
    }
    Path p;
    try {
      p = Path.of(where);
    } catch (java.nio.file.InvalidPathException e) {
      p = null;
    }
    if (p == null || !Files.isRegularFile(p)) {
      warnings.add(key.file() + ": " + server + " points to " + where + ", which is not a file this machine can read");
      return null;
    }
    // The file pointed to keeps its own name; in the store it goes under the key's.
    try (InputStream in = Files.newInputStream(p)) {
      Path t = store(in, dir, key);
      downloaded.incrementAndGet();
      return t;
    }
  }

  private static final class ServerDown extends Exception {
    ServerDown() {
      super(null, null, false, false);
    }
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private synchronized HttpClient client() {
    if (client == null) {
      HttpClient.Builder b = HttpClient.newBuilder()
          .connectTimeout(options.timeout())
          .followRedirects(HttpClient.Redirect.NORMAL)
          .proxy(Proxies.selector(env));
      if (auth != null) b.authenticator(auth);
      client = b.build();
    }
    return client;
  }

  /**
   * GET {@code uri}: on 200 the body into store {@code dir} (or, with {@code dir} null, only
   * whether it is there). Null when the server says it has no such file.
   */
  private Path get(URI server, URI uri, Path dir, StoreKey key) throws ServerDown, IOException {
    try (InputStream in = send(server, uri)) {
      if (in == null) return null;
      if (dir == null) return Path.of(".");
      Path t = store(in, dir, key);
      downloaded.incrementAndGet();
      return t;
    }
  }

  private String text(URI server, URI uri) throws ServerDown, IOException {
    try (InputStream in = send(server, uri)) {
      if (in == null) return null;
      return new String(in.readNBytes(64 << 10), StandardCharsets.UTF_8);
    }
  }

  private static final String PROXY_REFUSED = "the proxy refused the request (HTTP 407 Proxy Authentication Required):"
      + " give its user and password as HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT (or -Dhttps.proxyUser/-Dhttps.proxyPassword),"
      + " or check them";

  /** The body of a 200 answer, null for 4xx; retries timeouts, connection errors and 5xx. */
  private InputStream send(URI server, URI uri) throws ServerDown {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(options.timeout()).header("User-Agent", USER_AGENT).GET().build();
    String last = null;
    for (int attempt = 0; attempt <= options.retries(); attempt++) {
      if (dead.contains(server)) throw new ServerDown();
      if (attempt > 0) pause(attempt);
      try {
        HttpResponse<InputStream> r = client().send(req, HttpResponse.BodyHandlers.ofInputStream());
        int code = r.statusCode();
        if (code == 200) return r.body();
        // a proxy's refusal of a CONNECT comes with no body at all
        if (r.body() != null) r.body().close();
        if (code == 407) {
          // the proxy, not the server, refused: no file will come through it this run
          last = PROXY_REFUSED;
          break;
        }
        if (code >= 500 || code == 429) {
          last = "HTTP " + code;
          continue;
        }
        return null; // 404 and the other refusals: the server does not have it
      } catch (HttpTimeoutException e) {
        last = "no answer within " + options.timeout().toMillis() / 1000.0 + " s";
      } catch (IOException e) {
        last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // the JDK's words when the proxy refused the credentials it was given, three times
        if (last.startsWith("too many authentication attempts")) {
          last = PROXY_REFUSED;
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerDown();
      }
    }
    if (dead.add(server)) {
      warnings.add("symbol server " + server + ": " + last + " (GET " + uri + (last.contains("HTTP 407") ? ""
          : ", " + (options.retries() + 1) + " attempt(s)") + "); not asked again in this run");
    }
    throw new ServerDown();
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(250L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A self-overwriting line on a terminal while files are fetched; nothing otherwise. */
  private final class Ticker {
    private final int total;
    private final AtomicInteger done = new AtomicInteger();
    private long last;
    private boolean printed;

    Ticker(int total) {
      this.total = total;
    }

    synchronized void done() {
      done.incrementAndGet();
      if (!options.progress() || options.offline()) return;
      long now = System.nanoTime();
      if (now - last < 200_000_000L) return;
      last = now;
      printed = true;
      options.progressOut().printf("\r  symbols: %d/%d file(s) looked up, %d downloaded, %,d KiB   ",
          done.get(), total, downloaded.get(), bytes.get() >> 10);
      options.progressOut().flush();
    }

    synchronized void end() {
      if (printed) {
        options.progressOut().print("\r" + " ".repeat(72) + "\r");
        options.progressOut().flush();
      }
    }
  }

  @Override
  public void close() {
    // HttpClient has no close in Java 17; its threads are daemons and end with the run.
  }
}
