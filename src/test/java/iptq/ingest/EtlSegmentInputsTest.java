package iptq.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.etl.EtlFile;
import iptq.etl.EtlWriter;
import iptq.etl.EventData;
import iptq.etl.IptOption;
import iptq.etl.IptSegment;
import iptq.etl.IptSegments;
import iptq.etl.KernelPayloads;
import iptq.pt.Packet;
import iptq.pt.PacketDecoder;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real packet stream, written into a 4 KiB ring that wrapped, carried by an IPT event: the
 * segment iptq cuts decodes with iptq's packet decoder to exactly the tail of the stream from
 * the first PSB after the write position.
 */
class EtlSegmentInputsTest {
  @TempDir Path dir;

  static List<String> packets(PacketDecoder d) {
    List<String> out = new ArrayList<>();
    Packet p = new Packet();
    while (true) {
      PacketDecoder.Status s = d.next(p);
      if (s == PacketDecoder.Status.END) return out;
      if (s == PacketDecoder.Status.OK) out.add(p.kind + "@" + p.size);
    }
  }

  @Test
  void wrappedRingDecodesFromItsFirstPsb() throws Exception {
    Random r = new Random(4);
    PacketEncoder enc = new PacketEncoder();
    List<Long> psbs = new ArrayList<>();
    while (enc.offset() < 10_000) {
      psbs.add(enc.offset());
      enc.psb().psbend();
      for (int i = 0; i < 60; i++) {
        enc.tnt8(1 + r.nextInt(6), r.nextInt(64));
        if (r.nextInt(4) == 0) enc.ip(PacketKind.TIP, 0xfffff80212340000L + r.nextInt(1 << 16));
      }
    }
    byte[] stream = enc.toByteArray();
    int size = 4096;
    byte[] ring = new byte[size];
    for (int i = 0; i < stream.length; i++) ring[i % size] = stream[i];
    int position = stream.length % size;
    long oldest = stream.length - size; // stream offset of the byte at ring[position]
    long firstPsb = psbs.stream().filter(o -> o >= oldest).findFirst().orElseThrow();
    byte[] tail = java.util.Arrays.copyOfRange(stream, (int) firstPsb, stream.length);

    Path f = dir.resolve("pt.etl");
    long t0 = EtlWriter.Config.defaults().headerTs();
    try (EtlWriter w = new EtlWriter(f, EtlWriter.Config.defaults().withCpus(1))) {
      w.compact(0, 0x0524, 2, 9, 5, t0 + 3, KernelPayloads.cswitch(new EventData.CSwitch(9, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
      w.perfInfo(0, 0x0F34, 2, t0 + 8, KernelPayloads.systemCallExit(0));
      w.system(0, KernelPayloads.SAMPLE_IPT_HOOK, 2, 9, 5, t0 + 8,
          KernelPayloads.ipt(t0 + 8, 5, 9, IptOption.of(0, 0, 0, 0, 0, 0, false, 1), position, ring));
    }
    IptSegment seg = null;
    try (EtlFile in = EtlFile.open(f)) {
      IptSegments s = new IptSegments(in.header(), -1);
      while (in.hasMoreEvents()) {
        IptSegment x = s.accept(in.readEvent()).orElse(null);
        if (x != null) seg = x;
      }
    }
    assertTrue(seg != null);
    assertTrue(seg.wrapped());
    assertEquals(firstPsb - oldest, seg.skippedBytes());
    SegmentInput in = EtlSegmentInputs.of(seg, 7, 1, 1000, TimeBase.UNKNOWN);
    assertEquals("SystemCallExit", in.trigger());
    assertEquals(1003, in.triggerEventId()); // header 1, CSwitch 2, SystemCallExit 3
    assertTrue(in.wrapped());
    List<String> got = packets(in.decoders().get());
    List<String> want = packets(new PacketDecoder(tail));
    assertTrue(want.size() > 100);
    assertEquals(want, got);
  }
}
