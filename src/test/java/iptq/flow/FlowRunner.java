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

  /** libipt 2.2's listing through the C harness (the kit's library), in FlowListing's layout. */
  static List<String> libipt(byte[] trace, List<String> specs) throws IOException {
    return libipt(Libipt.kitHarness("ptxed_harness"), trace, specs);
  }

  /** ptxed's options the differential tests list with: IPs only, with the IPs of events. */
  static final List<String> PTXED_OPTIONS = List.of("--no-inst", "--event:ip");

  /**
   * The kit's ptxed (libipt 2.2) itself, {@code --no-inst --event:ip}, on the trace with the
   * sections as {@code --raw FILE:FROM-TO:BASE}: what {@code iptq insns} must print byte for byte.
   */
  static String ptxed(byte[] trace, List<String> specs) throws IOException {
    return kitPtxed(trace, specs, PTXED_OPTIONS);
  }

  /** The kit's ptxed with {@code options}, the sections as {@code --raw FILE:FROM-TO:BASE}: its standard output. */
  private static String kitPtxed(byte[] trace, List<String> specs, List<String> options) throws IOException {
    Path t = Files.createTempFile("iptq-flow", ".pt");
    try {
      Files.write(t, trace);
      List<String> cmd = new ArrayList<>(List.of(iptq.testing.LibiptKit.ptxed().toString()));
      cmd.addAll(options);
      for (String spec : specs) {
        String[] f = spec.split("@");
        long off = Long.decode(f[2]), size = Long.decode(f[3]);
        cmd.add("--raw");
        cmd.add(f[0] + ":0x" + Long.toHexString(off) + "-0x" + Long.toHexString(off + size) + ":" + f[1]);
      }
      cmd.add("--pt");
      cmd.add(t.toString());
      return iptq.testing.LibiptKit.runAllowingFailure(cmd, t.getParent()).stdout();
    } finally {
      Files.deleteIfExists(t);
    }
  }

  /** iptq's listing in ptxed's layout ({@link PtxedListing}), with {@link #PTXED_OPTIONS}. */
  static String iptqPtxed(byte[] trace, CodeImage image) {
    StringBuilder sb = new StringBuilder();
    FlowDecoder[] d = new FlowDecoder[1];
    PtxedListing listing = new PtxedListing(l -> sb.append(l).append('\n'), new PtxedListing.Options(true, false, true, false),
        null, new PtxedListing.StatusSource() {
          @Override
          public boolean statusUpdate() {
            return d[0].statusUpdate();
          }

          @Override
          public boolean syncing() {
            return d[0].syncing();
          }
        });
    d[0] = new FlowDecoder(new PacketDecoder(trace), image, listing);
    d[0].decode();
    return sb.toString();
  }

  /**
   * libipt 2.0.5's listing (Debian), the second oracle, in 2.2's order where only the order
   * differs ({@link #in22Order}). It predates event trace and triggers, and walks on after the
   * end of a trace where 2.2 stops ({@link #agrees}).
   */
  static List<String> libipt205(byte[] trace, List<String> specs) throws IOException {
    return in22Order(libipt(Libipt.harness("ptxed_harness"), trace, specs));
  }

  /**
   * libipt 2.0.5 reports a PWRE that comes between an MWAIT and the FUP of its EXSTOP at once,
   * before the MWAIT; 2.2 reports it after the MWAIT and the EXSTOP (PtxedDropInTest's
   * status-power case shows 2.2's order). The 2.0.5 listing is put in 2.2's order here, so it
   * stays an oracle of everything else.
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
   * Whether 2.0.5's listing agrees with 2.2's: equal, or equal up to where 2.2 ends the trace
   * ({@code [end of trace]}) and 2.0.5 walks on (into a packet cut by the end, after a PSB+).
   * Tracing that comes back right after a CR3 write is "resumed" to 2.0.5 and "enabled" to 2.2
   * (ptt case cr3-disable-enabled): the two words count as one here.
   */
  static boolean agrees(List<String> v205, List<String> v22) {
    v205 = resumedAsEnabled(v205);
    v22 = resumedAsEnabled(v22);
    if (v205.equals(v22)) return true;
    int n = v22.size() - 1;
    return n >= 0 && v22.get(n).equals("[end of trace]") && v205.size() >= n && v205.subList(0, n).equals(v22.subList(0, n));
  }

  /**
   * The kit's own ptxed (libipt 2.2, instruction decoder, {@code --no-inst}) on the trace, the
   * sections given as ptxed's {@code --raw FILE:FROM-TO:BASE}: the reference for what the C
   * harness cannot judge (the harness, written for 2.0.5's API, stops with "event ignored" on
   * some traces 2.2's ptxed decodes).
   */
  static List<String> ptxed22(byte[] trace, List<String> specs) throws IOException {
    return kitPtxed(trace, specs, List.of("--insn-decoder", "--no-inst")).lines().toList();
  }

  /** The same through libipt 2.2 (the kit). */
  static List<String> libipt22(byte[] trace, List<String> specs) throws IOException {
    return libipt(Libipt.kitHarness("ptxed_harness"), trace, specs);
  }

  private static List<String> resumedAsEnabled(List<String> lines) {
    return lines.stream().map(l -> l.startsWith("[resumed, ") ? "[enabled, " + l.substring(10) : l).toList();
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
