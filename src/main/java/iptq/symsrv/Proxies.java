package iptq.symsrv;

import java.io.IOException;
import java.net.InetSocketAddress;
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
