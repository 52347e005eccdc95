package iptq.symsrv;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy for symbol downloads. The JDK's own settings win when given ({@code https.proxyHost},
 * {@code http.proxyHost}, {@code java.net.useSystemProxies}: the default selector honours them);
 * otherwise {@code HTTPS_PROXY} / {@code HTTP_PROXY} (either case) as curl reads them, with
 * {@code NO_PROXY} hosts and loopback always direct.
 *
 * <p>Proxy credentials: the user information of {@code HTTPS_PROXY}/{@code HTTP_PROXY}
 * ({@code http://user:password@host:port}, percent-encoded as curl takes it), or with the JDK's
 * settings {@code https.proxyUser}/{@code https.proxyPassword} (and {@code http.*}), as Maven and
 * Gradle read them. They are answered to a proxy's 407 challenge through the HTTP client's
 * {@link Authenticator}, and only to the proxy they were given for.
 */
final class Proxies {
  private Proxies() {}

  static ProxySelector selector(Map<String, String> env) {
    ProxySelector jdk = ProxySelector.getDefault();
    if (System.getProperty("https.proxyHost") != null || System.getProperty("http.proxyHost") != null
        || Boolean.getBoolean("java.net.useSystemProxies")) {
      return jdk;
    }
    InetSocketAddress https = address(get(env, "HTTPS_PROXY")), http = address(get(env, "HTTP_PROXY"));
    if (https == null && http == null) return jdk;
    String noProxy = get(env, "NO_PROXY");
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (direct(host, noProxy)) return List.of(Proxy.NO_PROXY);
        InetSocketAddress a = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        if (a == null) return jdk == null ? List.of(Proxy.NO_PROXY) : jdk.select(uri);
        return List.of(new Proxy(Proxy.Type.HTTP, a));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    };
  }

  /** A proxy and the user and password to give it. */
  record Credentials(String host, int port, String user, char[] password) {}

  /** The credentials the environment (or the JDK's properties) give for the proxies, possibly none. */
  static List<Credentials> credentials(Map<String, String> env) {
    List<Credentials> out = new java.util.ArrayList<>();
    if (System.getProperty("https.proxyHost") != null || System.getProperty("http.proxyHost") != null
        || Boolean.getBoolean("java.net.useSystemProxies")) {
      for (String scheme : List.of("https", "http")) {
        String host = System.getProperty(scheme + ".proxyHost");
        String user = System.getProperty(scheme + ".proxyUser");
        if (host == null || user == null) continue;
        int port = Integer.getInteger(scheme + ".proxyPort", scheme.equals("https") ? 443 : 80);
        out.add(new Credentials(host, port, user, System.getProperty(scheme + ".proxyPassword", "").toCharArray()));
      }
      return out;
    }
    for (String name : List.of("HTTPS_PROXY", "HTTP_PROXY")) {
      String v = get(env, name);
      if (v == null) continue;
      try {
        URI u = new URI(v.contains("://") ? v : "http://" + v);
        String info = u.getRawUserInfo();
        InetSocketAddress a = address(v);
        if (info == null || a == null) continue;
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        String password = colon < 0 ? "" : decode(info.substring(colon + 1));
        out.add(new Credentials(a.getHostString(), a.getPort(), user, password.toCharArray()));
      } catch (java.net.URISyntaxException e) {
        // address() has refused it too: no proxy, so no credentials
      }
    }
    return out;
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Answers a proxy's challenge with the credentials given for that proxy (host and port), and
   * nothing else: no credentials for servers, none for other proxies. Null when there are none.
   */
  static Authenticator authenticator(List<Credentials> all) {
    if (all.isEmpty()) return null;
    return new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        if (getRequestorType() != RequestorType.PROXY) return null;
        for (Credentials c : all) {
          if (c.host().equalsIgnoreCase(getRequestingHost()) && c.port() == getRequestingPort()) {
            return new PasswordAuthentication(c.user(), c.password().clone());
          }
        }
        return null;
      }
    };
  }

  private static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null) v = env.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** {@code http://host:port/}, {@code host:port} or {@code host} (port 80) as an address. */
  static InetSocketAddress address(String value) {
    if (value == null) return null;
    String v = value.contains("://") ? value : "http://" + value;
    try {
      URI u = new URI(v);
      if (u.getHost() == null) return null;
      int port = u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
      return InetSocketAddress.createUnresolved(u.getHost(), port);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  static boolean direct(String host, String noProxy) {
    if (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")) return true;
    if (noProxy == null) return false;
    for (String n : noProxy.split(",")) {
      n = n.trim().toLowerCase(Locale.ROOT);
      if (n.isEmpty()) continue;
      if (n.equals("*")) return true;
      if (n.startsWith(".")) n = n.substring(1);
      if (host.equals(n) || host.endsWith("." + n)) return true;
    }
    return false;
  }
}
