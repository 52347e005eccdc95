package iptq.symsrv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP symbol server on 127.0.0.1 (port 0) serving a store folder: 200 with the file's
 * bytes, 404 for what it lacks. Counts every request per path; paths can be made to stall (no
 * answer until the server stops) or to answer with a given body (a {@code file.ptr}).
 */
public final class StoreHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Path root;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, String> bodies = new ConcurrentHashMap<>();
  private final List<String> stalls = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public StoreHttpServer(Path root) throws IOException {
    this(root, null);
  }

  /** The same over TLS with {@code tls}'s key when it is not null ({@code https://}). */
  public StoreHttpServer(Path root, javax.net.ssl.SSLContext tls) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls != null) {
      com.sun.net.httpserver.HttpsServer s = com.sun.net.httpserver.HttpsServer.create(at, 0);
      s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      server = s;
    } else {
      server = HttpServer.create(at, 0);
    }
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT} */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests whose path starts with {@code prefix} get no answer until {@link #close}. */
  public void stall(String prefix) {
    stalls.add(prefix);
  }

  /** {@code path} answers 200 with {@code body}. */
  public void serve(String path, String body) {
    bodies.put(path, body);
  }

  public int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  public int requests() {
    return requests.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  public Map<String, AtomicInteger> requestLog() {
    return requests;
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    try (x) {
      for (String s : stalls) {
        if (path.startsWith(s)) {
          try {
            stopped.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return;
        }
      }
      byte[] body = null;
      if (bodies.containsKey(path)) {
        body = bodies.get(path).getBytes(StandardCharsets.UTF_8);
      } else {
        Path f = root.resolve(path.substring(1)).normalize();
        if (f.startsWith(root) && Files.isRegularFile(f)) body = Files.readAllBytes(f);
      }
      if (body == null) {
        x.sendResponseHeaders(404, -1);
        return;
      }
      x.sendResponseHeaders(200, body.length);
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    }
  }

  @Override
  public void close() {
    stopped.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
