package iptq.flow;

import iptq.image.CodeImage;
import iptq.pt.PacketDecoder;
import iptq.testing.Libipt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a trace through iptq's flow decoder and through libipt's (the C harness), as lines. */
final class FlowRunner {
  private FlowRunner() {}

  static List<String> iptq(byte[] trace, CodeImage image) {
    List<String> lines = new ArrayList<>();
    FlowListing listing = new FlowListing(l -> lines.add(l.toString()), null);
    new FlowDecoder(new PacketDecoder(trace), image, listing).decode();
    return lines;
  }

  /** libipt 2.0.5's listing (Debian), in 2.2's order where only the order differs ({@link #in22Order}). */
  static List<String> libipt(byte[] trace, List<String> specs) throws IOException {
    return in22Order(libipt(Libipt.harness("ptxed_harness"), trace, specs));
  }

  /**
   * libipt 2.0.5 reports a PWRE that comes between an MWAIT and the FUP of its EXSTOP at once,
   * before the MWAIT; 2.2 reports it after the MWAIT and the EXSTOP (PtxedDropInTest's
   * status-power case shows 2.2's order). The 2.0.5 listing is put in 2.2's order here, so it
   * stays the oracle of everything else.
   */
  static List<String> in22Order(List<String> lines) {
    List<String> out = new ArrayList<>(lines);
    for (int i = 0; i < out.size(); i++) {
      if (!out.get(i).startsWith("[pwre")) continue;
      int j = i + 1;
      while (j < out.size() && !out.get(j).startsWith("[")) j++;
      if (j + 1 < out.size() && out.get(j).startsWith("[mwait") && out.get(j + 1).startsWith("[exstop")) {
        String pwre = out.remove(i);
        out.add(j + 1, pwre);
        i = j + 1;
      }
    }
    return out;
  }

  /**
   * The kit's own ptxed (libipt 2.2, instruction decoder, {@code --no-inst}) on the trace, the
   * sections given as ptxed's {@code --raw FILE:FROM-TO:BASE}: the reference for what the C
   * harness cannot judge (the harness, written for 2.0.5's API, stops with "event ignored" on
   * some traces 2.2's ptxed decodes).
   */
  static List<String> ptxed22(byte[] trace, List<String> specs) throws IOException {
    Path t = Files.createTempFile("iptq-flow", ".pt");
    try {
      Files.write(t, trace);
      List<String> cmd = new ArrayList<>(List.of(iptq.testing.LibiptKit.ptxed().toString(), "--insn-decoder", "--no-inst"));
      for (String spec : specs) {
        String[] f = spec.split("@");
        long off = Long.decode(f[2]), size = Long.decode(f[3]);
        cmd.add("--raw");
        cmd.add(f[0] + ":0x" + Long.toHexString(off) + "-0x" + Long.toHexString(off + size) + ":" + f[1]);
      }
      cmd.add("--pt");
      cmd.add(t.toString());
      return iptq.testing.LibiptKit.runAllowingFailure(cmd, t.getParent()).stdout().lines().toList();
    } finally {
      Files.deleteIfExists(t);
    }
  }

  /** The same through libipt 2.2 (the kit). */
  static List<String> libipt22(byte[] trace, List<String> specs) throws IOException {
    return libipt(Libipt.kitHarness("ptxed_harness"), trace, specs);
  }

  /**
   * libipt's listing with 2.2 as the judge at the end of the trace: where libipt 2.0.5 walks on
   * after the trace ended (e.g. into a packet cut by the end, after a PSB+) and 2.2 stops with
   * {@code [end of trace]}, 2.2's listing; else 2.0.5's, which today's other behaviours follow.
   */
  static List<String> libiptEndJudged(byte[] trace, List<String> specs) throws IOException {
    List<String> old = libipt(trace, specs);
    List<String> now = libipt22(trace, specs);
    int n = now.size() - 1;
    if (n >= 0 && now.get(n).equals("[end of trace]") && !old.equals(now) && old.size() >= n
        && old.subList(0, n).equals(now.subList(0, n))) {
      return now;
    }
    return old;
  }

  private static List<String> libipt(Path h, byte[] trace, List<String> specs) throws IOException {
    Path t = Files.createTempFile("iptq-flow", ".pt");
    try {
      Files.write(t, trace);
      List<String> cmd = new ArrayList<>(List.of(h.toString()));
      for (String spec : specs) {
        cmd.add("--raw");
        cmd.add(spec);
      }
      cmd.add(t.toString());
      return Libipt.run(cmd).lines().toList();
    } finally {
      Files.deleteIfExists(t);
    }
  }

  /** Error lines differ in wording between the decoders; the tests compare where they occur. */
  static List<String> normalized(List<String> lines) {
    List<String> out = new ArrayList<>(lines.size());
    for (String l : lines) out.add(l.startsWith("[error") ? "[error]" : l);
    return out;
  }

  /** The first line where two listings differ, with context, or null when equal. */
  static String firstDifference(List<String> want, List<String> got) {
    int n = Math.min(want.size(), got.size());
    for (int i = 0; i <= n; i++) {
      boolean differ = i < n ? !want.get(i).equals(got.get(i)) : want.size() != got.size();
      if (differ) {
        StringBuilder sb = new StringBuilder("line " + (i + 1) + " (of " + want.size() + " vs " + got.size() + "):\n");
        for (int j = Math.max(0, i - 5); j < Math.min(Math.max(want.size(), got.size()), i + 4); j++) {
          sb.append(String.format("%-50s %s%n", j < want.size() ? want.get(j) : "-", j < got.size() ? got.get(j) : "-"));
        }
        return sb.toString();
      }
    }
    return null;
  }
}
