package iptq.cli;

import iptq.InputException;
import iptq.capture.CodeMode;
import iptq.capture.IptProfileSpec;
import iptq.capture.ProfileRules;
import iptq.capture.ProfileWriter;
import iptq.capture.SchemaNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iptq profile}: writes a WPR profile that attaches IPT buffers to kernel events. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write a Windows Performance Recorder profile (.wprp) that records Intel PT on kernel events.",
      "The profile also records processes, threads and loaded modules. On Windows (see ingest/README.md):",
      "  wpr -start FILE.wprp!NAME -filemode  ...  wpr -stop trace.etl"
    })
public final class ProfileCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--code-mode",
      paramLabel = "MODE",
      description = "What the processor traces: kernel, user or userkernel.")
  String codeMode;

  @Option(
      names = "--buffer",
      paramLabel = "KB",
      description = "IPT buffer per event in KiB: 4, 8, 16 or 32 (start small).")
  Integer bufferKb;

  @Option(
      names = "--event",
      arity = "1..*",
      paramLabel = "NAME",
      description = "Kernel event that gets an IPT buffer (SystemStackEnumeration), e.g. SystemCallExit, CSwitch.")
  List<String> events = new ArrayList<>();

  @Option(
      names = "--name",
      defaultValue = "IptqCapture",
      paramLabel = "NAME",
      description = "Profile name, as in wpr -start FILE!NAME (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write here (replacing it) instead of to standard output.")
  Path output;

  @Option(names = "--list-events", description = "List the event names --event accepts, and exit.")
  boolean listEvents;

  @Override
  public Integer call() throws IOException {
    if (listEvents) {
      for (String e : SchemaNames.get().stackEvents()) spec.commandLine().getOut().println(e);
      return 0;
    }
    if (codeMode == null || bufferKb == null || events.isEmpty())
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--code-mode, --buffer and --event are required (see --help)");
    CodeMode mode;
    try {
      mode = CodeMode.ofOption(codeMode);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    for (String e : events) {
      if (!SchemaNames.get().isStackEvent(e)) {
        List<String> c = SchemaNames.closest(e, SchemaNames.get().stackEvents());
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "unknown event '" + e + "'"
                + (c.isEmpty() ? "" : "; did you mean " + String.join(" or ", c) + "?")
                + " (iptq profile --list-events lists them)");
      }
    }
    IptProfileSpec s;
    try {
      s = new IptProfileSpec(name, mode, bufferKb, events, recordedArguments());
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    String xml = ProfileWriter.write(s);
    List<String> broken = ProfileRules.violations(xml.getBytes(StandardCharsets.UTF_8));
    if (!broken.isEmpty()) throw new IllegalStateException("generated profile breaks the schema rules: " + broken);
    for (String e : ProfileWriter.eventsWithoutKeyword(s))
      spec.commandLine()
          .getErr()
          .println(
              "iptq: warning: iptq does not know which system keyword logs "
                  + e
                  + "; add it to <Keywords> if WPR records no "
                  + e
                  + " events");
    if (output == null) {
      spec.commandLine().getOut().print(xml);
      spec.commandLine().getOut().flush();
    } else {
      Path abs = output.toAbsolutePath();
      Path tmp = Files.createTempFile(abs.getParent(), ".iptq-profile", ".tmp");
      try {
        Files.writeString(tmp, xml, StandardCharsets.UTF_8);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return 0;
  }

  /** The command line without the output file: what the profile records about its origin. */
  private List<String> recordedArguments() {
    List<String> out = new ArrayList<>(List.of("iptq", "profile"));
    out.add("--code-mode");
    out.add(codeMode.toLowerCase());
    out.add("--buffer");
    out.add(Integer.toString(bufferKb));
    for (String e : events) {
      out.add("--event");
      out.add(e);
    }
    if (!name.equals("IptqCapture")) {
      out.add("--name");
      out.add(name);
    }
    return out;
  }
}
