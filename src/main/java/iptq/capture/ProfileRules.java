package iptq.capture;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The rules of the WPRControlProfiles schema that iptq's profiles rely on, checked without the
 * schema file (Microsoft ships WPRControlProfiles.xsd only with the Windows Performance Toolkit).
 *
 * <p>What is checked: the XML is well formed (the JDK's parser, no DTDs or external entities);
 * each element known to this checker has only the children the schema allows, in the schema's
 * order and number; required attributes are present and no unknown ones; attribute values are of
 * their type (IdType {@code [^:\s]+}, xs:float, xs:unsignedLong, xs:boolean, the enumerations
 * SystemCollectorNameEnumeration, SystemKeywordEnumeration, SystemStackEnumeration,
 * LoggingModeEnumeration, DetailLevelEnumeration, OperationEnumeration); the schema's keys hold
 * (every {@code Id} under Profiles unique; Keyword, Stack and Event values unique within their
 * list); references resolve (SystemCollectorId, SystemProviderId, HardwareCounterId, Profile
 * Base); and the profile-naming rules of the WPR documentation (Id is NAME.DetailLevel.LoggingMode,
 * one Name per file, at most four profiles, a File and a Memory profile).
 *
 * <p>The ProcessorTrace element is newer than the last published text of the schema that iptq
 * could consult; its rules here come from the WPR documentation of HardwareCounter/Events/Event
 * and the capture notes in the seed: BufferSize 4, 8, 16 or 32; CodeMode User, Kernel or
 * UserKernel; one or more Events of the SystemStackEnumeration. On top, two iptq rules: the
 * profile enables the Loader and ProcessThread keywords, and each IPT event's own keyword where
 * iptq knows it (an event that is not logged gets no IPT buffer).
 *
 * <p>Elements this checker does not know (EventCollector, EventProvider, heap and trace-merge
 * sections) are reported as unknown rather than passed silently.
 */
public final class ProfileRules {
  private enum Type {
    ID,
    STRING,
    FLOAT,
    ULONG,
    BOOLEAN,
    COLLECTOR_NAME,
    SYSTEM_KEYWORD,
    STACK_EVENT,
    LOGGING_MODE,
    DETAIL_LEVEL,
    OPERATION,
    RUNDOWN_FLAG,
    CODE_MODE,
    IPT_BUFFER
  }

  private record Child(String name, int min, int max) {}

  private record Attribute(String name, Type type, boolean required) {}

  private record Rule(List<Child> children, List<Attribute> attributes) {}

  private static final int MANY = Integer.MAX_VALUE;
  private static final Pattern ID = Pattern.compile("[^:\\s]+");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern ULONG = Pattern.compile("\\+?\\d{1,20}");

  /** Rules keyed by "Parent/Child" element names, since Keywords means different things. */
  private static final Map<String, Rule> RULES = new HashMap<>();

  private static void rule(String path, List<Child> children, Attribute... attributes) {
    RULES.put(path, new Rule(children, List.of(attributes)));
  }

  private static Child c(String name, int min, int max) {
    return new Child(name, min, max);
  }

  private static Attribute a(String name, Type type, boolean required) {
    return new Attribute(name, type, required);
  }

  static {
    rule(
        "/WindowsPerformanceRecorder",
        List.of(c("Profiles", 1, 1)),
        a("Version", Type.FLOAT, true),
        a("Author", Type.STRING, false),
        a("Team", Type.STRING, false),
        a("Copyright", Type.STRING, false),
        a("Company", Type.STRING, false),
        a("Comments", Type.STRING, false),
        a("Tag", Type.STRING, false));
    rule(
        "WindowsPerformanceRecorder/Profiles",
        List.of(
            c("SystemCollector", 0, MANY),
            c("SystemProvider", 0, MANY),
            c("HardwareCounter", 0, MANY),
            c("Profile", 1, MANY)));
    rule(
        "Profiles/SystemCollector",
        List.of(c("BufferSize", 0, 1), c("Buffers", 0, 1)),
        a("Id", Type.ID, true),
        a("Base", Type.STRING, false),
        a("Name", Type.COLLECTOR_NAME, true),
        a("Realtime", Type.BOOLEAN, false));
    rule(
        "SystemCollector/BufferSize",
        List.of(),
        a("Value", Type.ULONG, true),
        a("Operation", Type.OPERATION, false));
    rule(
        "SystemCollector/Buffers",
        List.of(),
        a("Value", Type.ULONG, true),
        a("Operation", Type.OPERATION, false),
        a("PercentageOfTotalMemory", Type.BOOLEAN, false));
    for (String provider : List.of("Profiles/SystemProvider", "SystemCollectorId/SystemProviderId")) {
      boolean isRef = provider.endsWith("Id");
      rule(
          provider,
          List.of(
              c("Keywords", 0, MANY),
              c("Stacks", 0, MANY),
              c("CaptureStateOnStart", 0, MANY),
              c("CaptureStateOnSave", 0, MANY)),
          isRef
              ? new Attribute[] {a("Value", Type.ID, true)}
              : new Attribute[] {a("Id", Type.ID, true), a("Base", Type.STRING, false)});
    }
    for (String list : List.of("Keywords", "CaptureStateOnStart", "CaptureStateOnSave")) {
      rule(
          "SystemProvider/" + list,
          List.of(c("Keyword", 1, MANY)),
          a("Operation", Type.OPERATION, false));
      rule(
          "SystemProviderId/" + list,
          List.of(c("Keyword", 1, MANY)),
          a("Operation", Type.OPERATION, false));
      rule(
          list + "/Keyword",
          List.of(),
          a("Value", Type.SYSTEM_KEYWORD, true),
          a("Strict", Type.BOOLEAN, false),
          a("RundownFlag", Type.RUNDOWN_FLAG, !list.equals("Keywords")));
    }
    rule("SystemProvider/Stacks", List.of(c("Stack", 1, MANY)), a("Operation", Type.OPERATION, false));
    rule("SystemProviderId/Stacks", List.of(c("Stack", 1, MANY)), a("Operation", Type.OPERATION, false));
    rule(
        "Stacks/Stack",
        List.of(),
        a("Value", Type.STACK_EVENT, true),
        a("Strict", Type.BOOLEAN, false));
    rule(
        "Profiles/HardwareCounter",
        List.of(c("ProcessorTrace", 1, 1)),
        a("Id", Type.ID, true),
        a("Base", Type.STRING, false));
    rule(
        "HardwareCounter/ProcessorTrace",
        List.of(c("BufferSize", 1, 1), c("CodeMode", 1, 1), c("Events", 1, 1)));
    rule("ProcessorTrace/BufferSize", List.of(), a("Value", Type.IPT_BUFFER, true));
    rule("ProcessorTrace/CodeMode", List.of(), a("Value", Type.CODE_MODE, true));
    rule("ProcessorTrace/Events", List.of(c("Event", 1, MANY)), a("Operation", Type.OPERATION, false));
    rule("Events/Event", List.of(), a("Value", Type.STACK_EVENT, true));
    rule(
        "Profiles/Profile",
        List.of(c("Collectors", 0, 1)),
        a("Id", Type.ID, true),
        a("Name", Type.STRING, true),
        a("Description", Type.STRING, true),
        a("Base", Type.STRING, false),
        a("LoggingMode", Type.LOGGING_MODE, true),
        a("DetailLevel", Type.DETAIL_LEVEL, true),
        a("Strict", Type.BOOLEAN, false),
        a("Internal", Type.BOOLEAN, false),
        a("Default", Type.BOOLEAN, false));
    rule(
        "Profile/Collectors",
        List.of(c("SystemCollectorId", 0, 1)),
        a("Operation", Type.OPERATION, false));
    rule(
        "Collectors/SystemCollectorId",
        List.of(
            c("BufferSize", 0, 1),
            c("Buffers", 0, 1),
            c("SystemProviderId", 0, 1),
            c("HardwareCounterId", 0, 1)),
        a("Value", Type.ID, true));
    rule("SystemCollectorId/BufferSize", List.of(), a("Value", Type.ULONG, true), a("Operation", Type.OPERATION, false));
    rule("SystemCollectorId/Buffers", List.of(), a("Value", Type.ULONG, true), a("Operation", Type.OPERATION, false),
        a("PercentageOfTotalMemory", Type.BOOLEAN, false));
    rule("SystemCollectorId/HardwareCounterId", List.of(), a("Value", Type.ID, true));
  }

  private ProfileRules() {}

  /** Every rule the profile text breaks, each naming the element; empty when it passes. */
  public static List<String> violations(byte[] xml) {
    Document doc;
    try {
      doc = parser().parse(new ByteArrayInputStream(xml));
    } catch (SAXException e) {
      return List.of("not well-formed XML: " + e.getMessage());
    } catch (IOException e) {
      return List.of("cannot read: " + e.getMessage());
    }
    List<String> out = new ArrayList<>();
    Element root = doc.getDocumentElement();
    if (!root.getTagName().equals("WindowsPerformanceRecorder")) {
      out.add("root element is <" + root.getTagName() + ">, not <WindowsPerformanceRecorder>");
      return out;
    }
    if (root.getNamespaceURI() != null) out.add("root element must not have a namespace");
    checkElement(root, "/WindowsPerformanceRecorder", "/WindowsPerformanceRecorder", out);
    checkKeysAndReferences(root, out);
    checkProfileNames(root, out);
    checkIptqNeeds(root, out);
    return out;
  }

  private static DocumentBuilder parser() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(true);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler());
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkElement(Element e, String key, String where, List<String> out) {
    Rule rule = RULES.get(key);
    if (rule == null) {
      out.add(where + ": element not allowed here (or not known to iptq's checker)");
      return;
    }
    checkAttributes(e, rule, where, out);
    List<Element> kids = children(e);
    int pos = 0;
    int[] counts = new int[rule.children().size()];
    for (Element k : kids) {
      String name = k.getTagName();
      int found = -1;
      for (int i = pos; i < rule.children().size(); i++) {
        if (rule.children().get(i).name().equals(name)) {
          found = i;
          break;
        }
      }
      String kidWhere = where + "/" + name;
      if (found < 0) {
        boolean known = rule.children().stream().anyMatch(ch -> ch.name().equals(name));
        out.add(kidWhere + (known ? ": out of the schema's order" : ": element not allowed here"));
        continue;
      }
      pos = found;
      counts[found]++;
      checkElement(k, e.getTagName() + "/" + name, kidWhere, out);
    }
    for (int i = 0; i < counts.length; i++) {
      Child ch = rule.children().get(i);
      if (counts[i] < ch.min())
        out.add(where + ": needs at least " + ch.min() + " <" + ch.name() + ">, has " + counts[i]);
      if (counts[i] > ch.max())
        out.add(where + ": allows at most " + ch.max() + " <" + ch.name() + ">, has " + counts[i]);
    }
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank())
        out.add(where + ": text content is not allowed: '" + n.getNodeValue().strip() + "'");
    }
  }

  private static void checkAttributes(Element e, Rule rule, String where, List<String> out) {
    Map<String, Attribute> allowed = new LinkedHashMap<>();
    for (Attribute a : rule.attributes()) allowed.put(a.name(), a);
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      Attr at = (Attr) attrs.item(i);
      String name = at.getName();
      if (name.startsWith("xmlns")) continue;
      Attribute a = allowed.get(name);
      if (a == null) {
        out.add(where + ": attribute " + name + " is not allowed");
        continue;
      }
      String problem = checkValue(a.type(), at.getValue());
      if (problem != null) out.add(where + "/@" + name + ": '" + at.getValue() + "' " + problem);
    }
    for (Attribute a : rule.attributes())
      if (a.required() && !e.hasAttribute(a.name()))
        out.add(where + ": required attribute " + a.name() + " is missing");
  }

  private static String checkValue(Type type, String v) {
    SchemaNames names = SchemaNames.get();
    return switch (type) {
      case STRING -> null;
      case ID -> ID.matcher(v).matches() ? null : "is not an IdType (no colons or spaces, not empty)";
      case FLOAT -> FLOAT.matcher(v).matches() ? null : "is not an xs:float";
      case ULONG -> ULONG.matcher(v).matches()
              && new java.math.BigInteger(v.replace("+", "")).bitLength() <= 64
          ? null
          : "is not an xs:unsignedLong";
      case BOOLEAN -> Set.of("true", "false", "1", "0").contains(v) ? null : "is not an xs:boolean";
      case COLLECTOR_NAME -> oneOf(v, Set.of("NT Kernel Logger", "Circular Kernel Context Logger"));
      case SYSTEM_KEYWORD -> names.systemKeywords().contains(v)
          ? null
          : "is not in SystemKeywordEnumeration" + hint(v, names.systemKeywords());
      case STACK_EVENT -> names.isStackEvent(v)
          ? null
          : "is not in SystemStackEnumeration" + hint(v, names.stackEvents());
      case LOGGING_MODE -> oneOf(v, Set.of("File", "Memory"));
      case DETAIL_LEVEL -> oneOf(v, Set.of("Light", "Verbose"));
      case OPERATION -> oneOf(v, Set.of("Set", "Add", "Remove"));
      case RUNDOWN_FLAG -> oneOf(v, Set.of("Start", "Stop"));
      case CODE_MODE -> oneOf(v, Set.of("User", "Kernel", "UserKernel"));
      case IPT_BUFFER -> oneOf(v, Set.of("4", "8", "16", "32"));
    };
  }

  private static String oneOf(String v, Set<String> allowed) {
    return allowed.contains(v) ? null : "is not one of " + new java.util.TreeSet<>(allowed);
  }

  private static String hint(String v, Set<String> known) {
    List<String> c = SchemaNames.closest(v, known);
    return c.isEmpty() ? "" : " (did you mean " + String.join(" or ", c) + "?)";
  }

  private static void checkKeysAndReferences(Element root, List<String> out) {
    Element profiles = first(root, "Profiles");
    if (profiles == null) return;
    // IdKey: selector ./*/* from the root, field @Id.
    Map<String, Set<String>> idsByKind = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Element e : children(profiles)) {
      if (!e.hasAttribute("Id")) continue;
      String id = e.getAttribute("Id");
      if (!seen.add(id)) out.add("Profiles/" + e.getTagName() + ": Id '" + id + "' is used twice");
      idsByKind.computeIfAbsent(e.getTagName(), k -> new HashSet<>()).add(id);
    }
    // Values unique within each Keywords, Stacks, Events and CaptureState list.
    forEach(root, e -> Set.of("Keywords", "Stacks", "Events", "CaptureStateOnStart", "CaptureStateOnSave")
        .contains(e.getTagName()), list -> {
          Set<String> values = new HashSet<>();
          for (Element k : children(list))
            if (!values.add(k.getAttribute("Value")))
              out.add(list.getTagName() + ": value '" + k.getAttribute("Value") + "' is listed twice");
        });
    Map<String, String> refs = Map.of(
        "SystemCollectorId", "SystemCollector",
        "SystemProviderId", "SystemProvider",
        "HardwareCounterId", "HardwareCounter");
    forEach(root, e -> refs.containsKey(e.getTagName()), ref -> {
      String target = refs.get(ref.getTagName());
      String v = ref.getAttribute("Value");
      if (!idsByKind.getOrDefault(target, Set.of()).contains(v))
        out.add(ref.getTagName() + ": '" + v + "' names no <" + target + " Id=\"" + v + "\">");
    });
    for (Element p : children(profiles, "Profile")) {
      if (p.hasAttribute("Base") && !idsByKind.getOrDefault("Profile", Set.of()).contains(p.getAttribute("Base")))
        out.add("Profile " + p.getAttribute("Id") + ": Base '" + p.getAttribute("Base") + "' names no profile");
    }
  }

  private static void checkProfileNames(Element root, List<String> out) {
    Element profiles = first(root, "Profiles");
    if (profiles == null) return;
    List<Element> ps = children(profiles, "Profile");
    if (ps.size() > 4) out.add("Profiles: at most 4 profiles per file, has " + ps.size());
    Set<String> names = new HashSet<>();
    Set<String> modes = new HashSet<>();
    for (Element p : ps) {
      String expected = p.getAttribute("Name") + "." + p.getAttribute("DetailLevel") + "." + p.getAttribute("LoggingMode");
      if (!p.getAttribute("Id").equals(expected))
        out.add("Profile " + p.getAttribute("Id") + ": Id must be Name.DetailLevel.LoggingMode = " + expected);
      names.add(p.getAttribute("Name"));
      modes.add(p.getAttribute("LoggingMode"));
    }
    if (names.size() > 1) out.add("Profiles: all profiles of a file must have one Name, found " + names);
    if (!ps.isEmpty() && !modes.containsAll(Set.of("File", "Memory")))
      out.add("Profiles: a file must define both a File and a Memory profile, has " + modes);
  }

  private static void checkIptqNeeds(Element root, List<String> out) {
    Set<String> keywords = new HashSet<>();
    forEach(root, e -> e.getTagName().equals("Keywords"), k -> {
      for (Element kw : children(k, "Keyword")) keywords.add(kw.getAttribute("Value"));
    });
    List<Element> events = new ArrayList<>();
    forEach(root, e -> e.getTagName().equals("ProcessorTrace"), pt -> {
      Element ev = first(pt, "Events");
      if (ev != null) events.addAll(children(ev, "Event"));
    });
    if (events.isEmpty()) {
      out.add("iptq: the profile has no HardwareCounter/ProcessorTrace with events");
      return;
    }
    for (String k : ProfileWriter.BASE_KEYWORDS)
      if (!keywords.contains(k)) out.add("iptq: keyword " + k + " is needed (modules and processes) but not enabled");
    for (Element e : events) {
      String v = e.getAttribute("Value");
      SchemaNames.get().keywordFor(v).filter(k -> !keywords.contains(k)).ifPresent(k ->
          out.add("iptq: event " + v + " is logged only with keyword " + k + ", which is not enabled"));
    }
  }

  private static void forEach(Element e, Predicate<Element> match, java.util.function.Consumer<Element> action) {
    if (match.test(e)) action.accept(e);
    for (Element k : children(e)) forEach(k, match, action);
  }

  private static Element first(Element e, String name) {
    List<Element> l = children(e, name);
    return l.isEmpty() ? null : l.get(0);
  }

  private static List<Element> children(Element e, String name) {
    return children(e).stream().filter(k -> k.getTagName().equals(name)).toList();
  }

  private static List<Element> children(Element e) {
    List<Element> out = new ArrayList<>();
    NodeList nl = e.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) if (nl.item(i) instanceof Element k) out.add(k);
    return out;
  }
}
