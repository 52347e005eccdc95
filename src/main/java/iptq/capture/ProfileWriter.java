package iptq.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a WPR recording profile (.wprp) that attaches an Intel PT buffer to kernel events.
 *
 * <p>The layout follows the WPRControlProfiles schema: one NT Kernel Logger collector; one system
 * provider with the keywords iptq needs (ProcessThread and Loader, so processes, threads and
 * module load addresses are known, with a rundown at the start so those already running are
 * known too) plus the keyword that makes each chosen event be logged at all; one
 * {@code HardwareCounter} holding the {@code ProcessorTrace} element; and the File and Memory
 * profiles WPR wants in every file ({@code NAME.Verbose.File}, {@code NAME.Verbose.Memory}). The
 * text is fixed for given arguments (no dates, fixed order), so a profile in the repository can
 * be regenerated and compared byte for byte.
 */
public final class ProfileWriter {
  /** Keywords every iptq profile enables, before the events' own. */
  public static final List<String> BASE_KEYWORDS = List.of("ProcessThread", "Loader");

  // An IPT event carries up to 32 KiB of trace plus its header, and an ETW event must fit in one
  // buffer, so the kernel logger's buffers are far larger than the IPT buffer.
  static final int ETW_BUFFER_KB = 1024;
  static final int ETW_BUFFERS = 128;

  static final String COLLECTOR_ID = "IptqKernelCollector";
  static final String PROVIDER_ID = "IptqSystemProvider";
  static final String COUNTER_ID = "IptqProcessorTrace";

  private ProfileWriter() {}

  /** The system keywords the profile enables, in order, without repeats. */
  public static List<String> keywords(IptProfileSpec spec) {
    List<String> out = new ArrayList<>(BASE_KEYWORDS);
    for (String e : spec.events()) {
      SchemaNames.get().keywordFor(e).filter(k -> !out.contains(k)).ifPresent(out::add);
    }
    return out;
  }

  /** Events no keyword is known for: the profile names them, but the user must check them. */
  public static List<String> eventsWithoutKeyword(IptProfileSpec spec) {
    return spec.events().stream().filter(e -> SchemaNames.get().keywordFor(e).isEmpty()).toList();
  }

  public static String write(IptProfileSpec spec) {
    String n = spec.name();
    String description =
        "Intel PT ("
            + spec.codeMode().wprValue()
            + ", "
            + spec.bufferKb()
            + " KB) on "
            + String.join(", ", spec.events())
            + ", with processes, threads and loaded modules";
    StringBuilder x = new StringBuilder(2048);
    x.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.append("<!--\n");
    x.append("  An Intel Processor Trace recording profile for Windows Performance Recorder,\n");
    x.append("  written by iptq (the command is in Comments below; see ingest/README.md).\n");
    x.append("  Record (as administrator):  wpr -start ").append(n).append(".wprp!").append(n);
    x.append(" -filemode\n");
    x.append("  Stop:                       wpr -stop trace.etl\n");
    x.append("  Then, on any machine:       iptq ingest trace.etl -o trace.duckdb\n");
    x.append("-->\n");
    x.append("<WindowsPerformanceRecorder Version=\"1.0\" Author=\"iptq\" Comments=\"")
        .append(attr(String.join(" ", spec.commandLine())))
        .append("\">\n");
    x.append("  <Profiles>\n");
    x.append("    <SystemCollector Id=\"").append(COLLECTOR_ID).append("\" Name=\"NT Kernel Logger\">\n");
    x.append("      <BufferSize Value=\"").append(ETW_BUFFER_KB).append("\"/>\n");
    x.append("      <Buffers Value=\"").append(ETW_BUFFERS).append("\"/>\n");
    x.append("    </SystemCollector>\n");
    x.append("    <SystemProvider Id=\"").append(PROVIDER_ID).append("\">\n");
    x.append("      <Keywords>\n");
    for (String k : keywords(spec)) x.append("        <Keyword Value=\"").append(k).append("\"/>\n");
    x.append("      </Keywords>\n");
    x.append("      <CaptureStateOnStart>\n");
    for (String k : BASE_KEYWORDS)
      x.append("        <Keyword Value=\"").append(k).append("\" RundownFlag=\"Start\"/>\n");
    x.append("      </CaptureStateOnStart>\n");
    x.append("    </SystemProvider>\n");
    x.append("    <HardwareCounter Id=\"").append(COUNTER_ID).append("\">\n");
    x.append("      <ProcessorTrace>\n");
    x.append("        <BufferSize Value=\"").append(spec.bufferKb()).append("\"/>\n");
    x.append("        <CodeMode Value=\"").append(spec.codeMode().wprValue()).append("\"/>\n");
    x.append("        <Events>\n");
    for (String e : spec.events()) x.append("          <Event Value=\"").append(attr(e)).append("\"/>\n");
    x.append("        </Events>\n");
    x.append("      </ProcessorTrace>\n");
    x.append("    </HardwareCounter>\n");
    x.append("    <Profile Id=\"").append(n).append(".Verbose.File\" Name=\"").append(n);
    x.append("\" Description=\"").append(attr(description));
    x.append("\" LoggingMode=\"File\" DetailLevel=\"Verbose\">\n");
    x.append("      <Collectors>\n");
    x.append("        <SystemCollectorId Value=\"").append(COLLECTOR_ID).append("\">\n");
    x.append("          <SystemProviderId Value=\"").append(PROVIDER_ID).append("\"/>\n");
    x.append("          <HardwareCounterId Value=\"").append(COUNTER_ID).append("\"/>\n");
    x.append("        </SystemCollectorId>\n");
    x.append("      </Collectors>\n");
    x.append("    </Profile>\n");
    x.append("    <Profile Id=\"").append(n).append(".Verbose.Memory\" Name=\"").append(n);
    x.append("\" Description=\"").append(attr(description));
    x.append("\" LoggingMode=\"Memory\" DetailLevel=\"Verbose\" Base=\"");
    x.append(n).append(".Verbose.File\"/>\n");
    x.append("  </Profiles>\n");
    x.append("</WindowsPerformanceRecorder>\n");
    return x.toString();
  }

  private static String attr(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
