package iptq.ingest;

import iptq.image.ImageKind;
import iptq.image.KernelDump;
import iptq.image.Minidump;
import iptq.table.ModulesTable;
import iptq.table.ProcessesTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why a dump gave code to nothing: what the traces know (processes, modules) against what the
 * dump holds, so that a dump of another process, recording or machine is named with the reason
 * rather than ignored in silence.
 */
final class DumpMatch {
  private record Trace(int traceId, List<ProcessesTable.Process> processes, List<ModulesTable.Module> modules) {}

  private final List<Trace> traces = new ArrayList<>();

  synchronized void trace(int traceId, List<ProcessesTable.Process> processes, List<ModulesTable.Module> modules) {
    traces.add(new Trace(traceId, List.copyOf(processes), List.copyOf(modules)));
  }

  /** One line: the dump, and why no module of any trace took code from it. */
  synchronized String why(Path dump) {
    try {
      return dump + ": matches nothing in the traces, so no code came from it: " + switch (ImageKind.of(dump)) {
        case MINIDUMP -> minidump(dump);
        case KERNEL_DUMP -> kernelDump(dump);
        default -> "not a dump";
      };
    } catch (RuntimeException e) {
      return dump + ": matches nothing in the traces (" + e.getMessage() + ")";
    }
  }

  private String minidump(Path path) {
    try (Minidump d = Minidump.open(path)) {
      long pid = d.miscInfo() != null ? d.miscInfo().processId() : -1;
      String taken = d.timeDateStamp() > 0
          ? ", taken " + java.time.Instant.ofEpochSecond(d.timeDateStamp()) : "";
      if (pid < 0) return "it does not say its process (no MiscInfo stream)" + taken;
      List<String> in = new ArrayList<>();
      for (Trace t : traces) {
        for (ProcessesTable.Process p : t.processes()) {
          if (p.pid() == pid) in.add("trace " + t.traceId() + " (" + p.name() + ")");
        }
      }
      if (in.isEmpty()) {
        return "its process " + pid + " is in none of the traces" + taken
            + " (a dump of another process or another recording?)";
      }
      Minidump.Module first = d.modules().isEmpty() ? null : d.modules().get(0);
      return "its process " + pid + " is in " + String.join(", ", in) + ", but none of its "
          + d.modules().size() + " module(s) is loaded at a base the trace lists for that process"
          + (first == null ? "" : String.format(Locale.ROOT, " (%s at 0x%x in the dump)", baseName(first.name()), first.base()))
          + taken + ": the process of another run with the same pid?";
    }
  }

  private String kernelDump(Path path) {
    try (KernelDump d = KernelDump.open(path)) {
      List<KernelDump.KernelModule> mods;
      try {
        mods = d.modules();
      } catch (RuntimeException e) {
        mods = List.of();
      }
      for (KernelDump.KernelModule km : mods) {
        for (Trace t : traces) {
          for (ModulesTable.Module m : t.modules()) {
            if (m.kernel() && m.name().equalsIgnoreCase(km.name())) {
              return String.format(Locale.ROOT, "its kernel modules are not where the traces have them (%s at 0x%x"
                  + " in the dump, at 0x%x in trace %d): a dump of another boot or machine?",
                  km.name(), km.base(), m.base(), t.traceId());
            }
          }
        }
      }
      return "its page tables map none of the kernel modules the traces list"
          + (mods.isEmpty() ? "" : " and none of its " + mods.size() + " module(s) has a name the traces list")
          + ": a dump of another machine?";
    }
  }

  private static String baseName(String path) {
    int i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
    return path.substring(i + 1);
  }
}
