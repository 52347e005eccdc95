package iptq.view;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import iptq.InputException;
import iptq.store.SqlResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code iptq view}: one self-contained HTML page — the overview of the picked segments, per
 * segment a flame chart of its call stacks with the trigger marked and the functions-before
 * answer beside it, a flame graph of where the instructions went, a search, and from each
 * function links to the segments it ran in. The page's JavaScript (ECharts, from its WebJar, and
 * the page's own script) and its data are inlined; its Content-Security-Policy lets it fetch
 * nothing, so it works offline and no request leaves the file.
 *
 * <p>Only the first {@code cap} segments are drawn in detail (their frames are most of the
 * page's bytes); the overview counts all picked segments, and the page says how many it left out.
 */
public final class ViewPage {
  public static final int DEFAULT_CAP = 500;
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  private static final int BEFORE = 10;

  /** What was written: segments picked, segments drawn in detail, bytes. */
  public record Written(int picked, int drawn, long bytes) {}

  private ViewPage() {}

  public static Written write(Connection conn, Selection sel, int cap, String title, String version, Writer out)
      throws Exception {
    List<SegmentInfo> all = FlowReader.segments(conn, sel);
    if (all.isEmpty()) throw new InputException(null, -1, "no segment matches the filters");
    List<SegmentInfo> drawn = all.subList(0, Math.min(all.size(), Math.max(1, cap)));
    CountingWriter cw = new CountingWriter(out);
    String template = resource("iptq/view/page.html");
    int at = template.indexOf("/*DATA*/");
    cw.write(template.substring(0, at)
        .replace("/*TITLE*/", escapeHtml(title))
        .replace("/*CSS*/", resource("iptq/view/page.css")));
    try (JsonGenerator g = json(cw)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      g.writeObjectFieldStart("meta");
      g.writeStringField("title", title);
      g.writeStringField("producer", "iptq " + version);
      g.writeNumberField("picked", all.size());
      g.writeNumberField("drawn", drawn.size());
      g.writeNumberField("cap", cap);
      g.writeEndObject();
      Selection.set(conn, "v_ids", all.stream().map(SegmentInfo::id).toArray(Long[]::new));
      rows(conn, g, "traces", "view/page-traces.sql");
      rows(conn, g, "triggers", "view/page-triggers.sql");
      rows(conn, g, "health", "view/page-health.sql");
      g.writeArrayFieldStart("segments");
      for (SegmentInfo s : all) {
        g.writeStartArray();
        g.writeNumber(s.id());
        g.writeNumber(s.traceId());
        number(g, s.ts());
        number(g, s.pid());
        number(g, s.tid());
        g.writeString(s.trigger());
        g.writeString(s.processLabel());
        g.writeNumber(s.instructions());
        g.writeNumber(s.errors());
        g.writeString(s.status());
        g.writeBoolean(s.timed());
        g.writeEndArray();
      }
      g.writeEndArray();
      Selection.set(conn, "v_ids", drawn.stream().map(SegmentInfo::id).toArray(Long[]::new));
      Map<Long, List<Object[]>> before = before(conn);
      Strings names = new Strings();
      Strings modules = new Strings();
      Tree flame = new Tree(-1, -1);
      Map<Integer, Map<Long, Long>> functions = new TreeMap<>();
      g.writeObjectFieldStart("detail");
      FlowReader.read(conn, drawn, flow -> detail(g, flow, before.getOrDefault(flow.info().id(), List.of()),
          names, modules, flame, functions));
      g.writeEndObject();
      g.writeFieldName("flame");
      flame.write(g);
      g.writeObjectFieldStart("functions");
      for (Map.Entry<Integer, Map<Long, Long>> e : functions.entrySet()) {
        g.writeArrayFieldStart(Integer.toString(e.getKey()));
        for (Map.Entry<Long, Long> s : e.getValue().entrySet()) {
          g.writeNumber(s.getKey());
          g.writeNumber(s.getValue());
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      strings(g, "names", names);
      strings(g, "modules", modules);
      g.writeEndObject();
    }
    // The scripts come after the data, so the page's script finds it parsed.
    cw.write(template.substring(at + "/*DATA*/".length())
        .replace("/*ECHARTS*/", script(resource(ECHARTS)))
        .replace("/*PAGE*/", script(resource("iptq/view/page.js"))));
    cw.flush();
    return new Written(all.size(), drawn.size(), cw.bytes);
  }

  /** Counts the UTF-8 bytes written through it. */
  private static final class CountingWriter extends java.io.FilterWriter {
    long bytes;

    CountingWriter(Writer w) {
      super(w);
    }

    @Override
    public void write(int c) throws IOException {
      count(c);
      super.write(c);
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      for (int i = off; i < off + len; i++) count(cbuf[i]);
      super.write(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      for (int i = off; i < off + len; i++) count(str.charAt(i));
      super.write(str, off, len);
    }

    private void count(int c) {
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate((char) c) ? 2 : 3;
    }
  }

  private static void detail(JsonGenerator g, SegmentFlow flow, List<Object[]> before, Strings names,
      Strings modules, Tree flame, Map<Integer, Map<Long, Long>> functions) throws IOException {
    SegmentInfo s = flow.info();
    Clock clock = flow.clock();
    long n = flow.instructions();
    g.writeObjectFieldStart(Long.toString(s.id()));
    g.writeStringField("axis", clock != null ? "time" : "instructions");
    g.writeNumberField("x0", x(clock, 0));
    g.writeNumberField("x1", x(clock, n));
    g.writeNumberField("insns", n);
    List<Frame> frames = flow.frames();
    int[] parent = Nesting.parents(frames);
    long[] self = Nesting.self(frames, parent);
    Tree[] node = new Tree[frames.size()];
    Tree proc = flame.child(names.id(s.processLabel()), -1);
    // x0, x1, depth, name, module, instructions: six numbers a frame, the bulk of the page
    g.writeArrayFieldStart("frames");
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      int name = names.id(f.name());
      int module = f.module() == null ? -1 : modules.id(f.module());
      g.writeNumber(x(clock, f.start()));
      g.writeNumber(x(clock, f.end()));
      g.writeNumber(f.depth());
      g.writeNumber(name);
      g.writeNumber(module);
      g.writeNumber(f.insns());
      node[i] = (parent[i] < 0 ? proc : node[parent[i]]).child(name, module);
      node[i].self += self[i];
      if (self[i] > 0) functions.computeIfAbsent(name, k -> new TreeMap<>()).merge(s.id(), self[i], Long::sum);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("before");
    for (Object[] r : before) {
      g.writeNumber((Long) r[0]);
      g.writeNumber(names.id((String) r[1]));
      g.writeNumber(r[2] == null ? -1 : modules.id((String) r[2]));
      g.writeNumber((Long) r[3]);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("errors");
    for (DecodeErrorMark e : flow.errors()) {
      g.writeStartArray();
      g.writeNumber(e.ts() != null && clock != null ? e.ts()
          : x(clock, s.sizeBytes() > 0 ? Math.min(n, n * e.offset() / s.sizeBytes()) : 0));
      g.writeString(e.kind());
      g.writeString(e.message());
      g.writeNumber(e.offset());
      g.writeEndArray();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static long x(Clock clock, long pos) {
    return clock == null ? pos : Math.round(clock.at(pos));
  }

  private static Map<Long, List<Object[]>> before(Connection conn) throws SQLException {
    Map<Long, List<Object[]>> out = new HashMap<>();
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read("view/page-before.sql"));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
            .add(new Object[] {rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5)});
      }
    }
    return out;
  }

  /** A query's rows as an array of objects, column names as keys. */
  private static void rows(Connection conn, JsonGenerator g, String field, String sql) throws SQLException, IOException {
    g.writeArrayFieldStart(field);
    try (PreparedStatement ps = conn.prepareStatement(SqlResource.read(sql)); ResultSet rs = ps.executeQuery()) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        g.writeStartObject();
        for (int c = 1; c <= cols; c++) {
          Object v = rs.getObject(c);
          g.writeFieldName(rs.getMetaData().getColumnLabel(c));
          if (v == null) g.writeNull();
          else if (v instanceof Number num) g.writeNumber(num.longValue());
          else g.writeString(v.toString());
        }
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }

  private static void number(JsonGenerator g, Number n) throws IOException {
    if (n == null) g.writeNull();
    else g.writeNumber(n.longValue());
  }

  private static void strings(JsonGenerator g, String field, Strings s) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : s.list) g.writeString(v);
    g.writeEndArray();
  }

  /** A string table: names go into the page once, frames refer to them by number. */
  private static final class Strings {
    final Map<String, Integer> ids = new HashMap<>();
    final List<String> list = new ArrayList<>();

    int id(String s) {
      return ids.computeIfAbsent(s, k -> {
        list.add(k);
        return list.size() - 1;
      });
    }
  }

  /** The flame graph: stacks merged by path, instructions run in each frame itself. */
  private static final class Tree {
    final int name;
    final int module;
    long self;
    final Map<Long, Tree> children = new LinkedHashMap<>();

    Tree(int name, int module) {
      this.name = name;
      this.module = module;
    }

    Tree child(int name, int module) {
      return children.computeIfAbsent(((long) name << 32) | (module & 0xffffffffL), k -> new Tree(name, module));
    }

    long total() {
      long t = self;
      for (Tree c : children.values()) t += c.total();
      return t;
    }

    /** [name, module, total, [children...]] */
    void write(JsonGenerator g) throws IOException {
      g.writeStartArray();
      g.writeNumber(name);
      g.writeNumber(module);
      g.writeNumber(total());
      g.writeStartArray();
      for (Tree c : children.values()) c.write(g);
      g.writeEndArray();
      g.writeEndArray();
    }
  }

  /** JSON that is safe inside a script element: no "<", ">" or "&" appear as themselves. */
  private static JsonGenerator json(Writer w) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(w);
    g.setCharacterEscapes(new CharacterEscapes() {
      private static final long serialVersionUID = 1L;
      private final int[] table = standardAsciiEscapesForJSON();
      {
        table['<'] = ESCAPE_STANDARD;
        table['>'] = ESCAPE_STANDARD;
        table['&'] = ESCAPE_STANDARD;
      }

      @Override
      public int[] getEscapeCodesForAscii() {
        return table;
      }

      @Override
      public SerializableString getEscapeSequence(int ch) {
        return null;
      }
    });
    return g;
  }

  /** Script text that cannot end its script element early. */
  private static String script(String js) {
    return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT");
  }

  static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String resource(String path) throws IOException {
    try (InputStream in = ViewPage.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing resource " + path + " (is the jar complete?)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
