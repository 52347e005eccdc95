package iptq.cli;

import iptq.InputException;
import iptq.view.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The segment filters of {@code iptq view} and of {@code iptq export}'s picture formats. */
public final class PictureFilters {
  @Option(names = "--segment", split = ",", paramLabel = "ID", description = "Only these segments (repeatable, or comma-separated).")
  List<Long> segments = new ArrayList<>();

  @Option(names = "--trace", paramLabel = "ID", description = "Only segments of this input file (traces.trace_id).")
  Integer trace;

  @Option(names = "--pid", paramLabel = "PID", description = "Only segments of this process id.")
  Integer pid;

  @Option(names = "--tid", paramLabel = "TID", description = "Only segments of this thread id.")
  Integer tid;

  @Option(names = "--from", paramLabel = "TIME", description = "Only segments whose event is at or after TIME since the trace start: ns, or with a unit (us, ms, s), e.g. 1.5ms.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "Only segments whose event is at or before TIME (as for --from).")
  String to;

  /** The filters as a selection; a time that is not one is a usage error (exit 2). */
  Selection selection(picocli.CommandLine.Model.CommandSpec spec) {
    return Inputs.option(spec, () -> new Selection(segments, trace, pid, tid, ns("--from", from), ns("--to", to)));
  }

  /** "1500", "1500ns", "1.5us", "2ms", "0.1s" as ns; null stays null. */
  static Long ns(String option, String s) {
    if (s == null) return null;
    String t = s.strip().toLowerCase(Locale.ROOT);
    double unit = 1;
    for (String[] u : new String[][] {{"ns", "1"}, {"us", "1e3"}, {"µs", "1e3"}, {"ms", "1e6"}, {"s", "1e9"}}) {
      if (t.endsWith(u[0])) {
        unit = Double.parseDouble(u[1]);
        t = t.substring(0, t.length() - u[0].length()).strip();
        break;
      }
    }
    try {
      return Math.round(Double.parseDouble(t) * unit);
    } catch (NumberFormatException e) {
      throw new InputException(null, -1, option + ": '" + s + "' is not a time (ns, or with a unit: us, ms, s)");
    }
  }
}
