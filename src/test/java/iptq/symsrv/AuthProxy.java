package iptq.symsrv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP proxy on 127.0.0.1 (port 0) that wants Basic proxy authentication: a request
 * without the right {@code Proxy-Authorization} gets 407 with a {@code Proxy-Authenticate}
 * challenge. With it, a {@code GET http://HOST:PORT/path} is forwarded to 127.0.0.1:PORT and a
 * {@code CONNECT HOST:PORT} is tunnelled there, whatever HOST says (so a test server on loopback
 * can be named by a host the client will not take for loopback and send direct). Every request
 * line is logged with whether its credentials were right.
 */
final class AuthProxy implements AutoCloseable {
  /** A request the proxy got: {@code GET http://…} or {@code CONNECT host:port}, and its answer. */
  record Seen(String method, String target, int status) {}

  private final ServerSocket socket;
  private final String expected;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "auth-proxy");
    t.setDaemon(true);
    return t;
  });
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  AuthProxy(String user, String password) throws IOException {
    expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::accept);
  }

  int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket c = socket.accept();
        pool.execute(() -> serve(c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') break;
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (true) {
        String request = line(in);
        if (request.isEmpty()) return;
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
          int colon = h.indexOf(':');
          if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(), h.substring(colon + 1).trim());
        }
        String[] parts = request.split(" ");
        String method = parts[0], target = parts[1];
        if (!expected.equals(headers.get("proxy-authorization"))) {
          seen.add(new Seen(method, target, 407));
          out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"iptq-test\"\r\n"
              + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          continue; // the client may answer the challenge on this connection
        }
        seen.add(new Seen(method, target, 200));
        if (method.equals("CONNECT")) {
          int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
          try (Socket server = new Socket(InetAddress.getLoopbackAddress(), port)) {
            out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            pipe(client, server);
          }
          return;
        }
        URI u = URI.create(target);
        try (Socket server = new Socket(InetAddress.getLoopbackAddress(), u.getPort())) {
          StringBuilder req = new StringBuilder(method + " " + u.getRawPath() + " HTTP/1.1\r\n");
          req.append("Host: ").append(u.getHost()).append(':').append(u.getPort()).append("\r\n");
          for (var h : headers.entrySet()) {
            if (!h.getKey().startsWith("proxy-") && !h.getKey().equals("host") && !h.getKey().equals("connection")) {
              req.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
          }
          req.append("Connection: close\r\n\r\n");
          server.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
          server.getOutputStream().flush();
          // the answer, as it comes, until the server closes; then this connection closes too
          server.getInputStream().transferTo(out);
          out.flush();
        }
        return;
      }
    } catch (IOException e) {
      // the client or the server went away: nothing to answer
    }
  }

  /** Bytes both ways until either side closes. */
  private void pipe(Socket a, Socket b) throws IOException {
    var back = pool.submit(() -> {
      try {
        b.getInputStream().transferTo(a.getOutputStream());
      } catch (IOException e) {
        // closed
      }
      return null;
    });
    try {
      a.getInputStream().transferTo(b.getOutputStream());
    } catch (IOException e) {
      // closed
    }
    b.shutdownOutput();
    try {
      back.get();
    } catch (Exception e) {
      // closed
    }
  }

  List<Seen> seen() {
    return new ArrayList<>(seen);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    pool.shutdownNow();
  }
}
