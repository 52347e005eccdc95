package iptq.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** SQL text shipped in the jar from the project's {@code schema/} and {@code queries/} folders. */
public final class SqlResource {
  private SqlResource() {}

  /** The text of {@code /iptq/<path>}; fails loudly when the build did not package it. */
  public static String read(String path) {
    try (InputStream in = SqlResource.class.getResourceAsStream("/iptq/" + path)) {
      if (in == null) throw new IllegalStateException("missing resource iptq/" + path + " (is the jar complete?)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Non-blank, non-comment lines of a list file such as {@code schema/files.txt}. */
  public static List<String> list(String path) {
    List<String> out = new ArrayList<>();
    for (String line : read(path).split("\n")) {
      String s = line.strip();
      if (!s.isEmpty() && !s.startsWith("#")) out.add(s);
    }
    return out;
  }

  /** The DDL of the whole schema, in the order {@code schema/files.txt} gives. */
  public static String schema() {
    StringBuilder sb = new StringBuilder();
    for (String f : list("schema/files.txt")) sb.append(read("schema/" + f)).append('\n');
    return sb.toString();
  }
}
