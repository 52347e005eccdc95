package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Trace Event Format's rules as the viewers apply them, checked on a whole file: every event
 * has a known phase, pid, tid and numeric ts; per thread, ts never decreases in file order and B/E
 * balance like brackets, an E closing the most recent open B of the same name (and args); each process and
 * thread with events is named by metadata. What it saw is returned for further checks.
 */
final class ChromeTraceRules {
  final Set<String> functionNames = new TreeSet<>();
  /** "parent > child" for every function slice directly inside another one. */
  final Set<String> pairs = new TreeSet<>();
  final Map<String, String> processNames = new HashMap<>();
  final Map<String, String> threadNames = new HashMap<>();
  final List<String> segments = new ArrayList<>();
  final List<String> instants = new ArrayList<>();
  int slices;

  static ChromeTraceRules check(JsonNode root) {
    ChromeTraceRules r = new ChromeTraceRules();
    JsonNode events = root.get("traceEvents");
    assertNotNull(events, "traceEvents");
    assertTrue(events.isArray());
    Map<String, ArrayDeque<JsonNode>> open = new HashMap<>();
    Map<String, Double> last = new HashMap<>();
    Set<String> threadsWithEvents = new HashSet<>();
    for (JsonNode e : events) {
      String ph = e.get("ph").asText();
      assertTrue(e.get("pid").isInt(), e.toString());
      String pid = e.get("pid").asText();
      if (ph.equals("M")) {
        String what = e.get("name").asText();
        if (what.equals("process_name")) r.processNames.put(pid, e.get("args").get("name").asText());
        if (what.equals("thread_name")) r.threadNames.put(pid + "/" + e.get("tid").asText(), e.get("args").get("name").asText());
        continue;
      }
      assertTrue(Set.of("B", "E", "i").contains(ph), "unexpected phase " + e);
      String thread = pid + "/" + e.get("tid").asInt();
      threadsWithEvents.add(thread);
      assertTrue(e.get("ts").isNumber(), e.toString());
      double ts = e.get("ts").asDouble();
      Double prev = last.put(thread, ts);
      assertTrue(prev == null || ts >= prev, "time went back on " + thread + ": " + prev + " then " + e);
      ArrayDeque<JsonNode> stack = open.computeIfAbsent(thread, k -> new ArrayDeque<>());
      String cat = e.get("cat").asText();
      switch (ph) {
        case "B" -> {
          if (cat.equals("segment")) {
            assertTrue(stack.isEmpty(), "a segment inside another slice: " + e);
            r.segments.add(e.get("name").asText());
          } else {
            assertEquals("function", cat);
            assertTrue(!stack.isEmpty(), "a function outside its segment: " + e);
            JsonNode parent = stack.peek();
            if (parent.get("cat").asText().equals("function")) {
              r.pairs.add(parent.get("name").asText() + " > " + e.get("name").asText());
            }
            r.functionNames.add(e.get("name").asText());
            r.slices++;
          }
          stack.push(e);
        }
        case "E" -> {
          assertTrue(!stack.isEmpty(), "E without B on " + thread + ": " + e);
          JsonNode b = stack.pop();
          assertEquals(b.get("name").asText(), e.get("name").asText(), "E closes another slice");
          // The format merges an E's args into its B's; speedscope pairs them by name and args.
          assertEquals(b.get("args"), e.get("args"), "E's args differ from its B's");
          assertTrue(ts >= b.get("ts").asDouble());
        }
        default -> {
          assertEquals("t", e.get("s").asText(), "instant scope");
          assertTrue(!stack.isEmpty() && stack.peekLast().get("cat").asText().equals("segment"),
              "an instant outside its segment: " + e);
          r.instants.add(cat + ":" + e.get("name").asText());
        }
      }
    }
    for (Map.Entry<String, ArrayDeque<JsonNode>> o : open.entrySet()) {
      assertTrue(o.getValue().isEmpty(), "unclosed on " + o.getKey() + ": " + o.getValue().peek());
    }
    for (String t : threadsWithEvents) {
      assertTrue(r.threadNames.containsKey(t), "thread without thread_name: " + t);
      assertTrue(r.processNames.containsKey(t.substring(0, t.indexOf('/'))), "process without process_name: " + t);
    }
    return r;
  }
}
