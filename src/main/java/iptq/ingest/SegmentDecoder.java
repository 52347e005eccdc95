package iptq.ingest;

import iptq.flow.FlowDecoder;
import iptq.image.CodeImage;
import iptq.pt.DecodeError;
import iptq.pt.Packet;
import iptq.pt.PacketClock;
import iptq.table.TableWriter;
import iptq.pt.PacketDecoder;
import iptq.table.SegmentsTable;

/**
 * Decodes one segment into the per-thread tables: every packet, every decode problem, and the
 * segment's summary row. Errors inside the trace become rows; decoding resumes at the next PSB.
 */
final class SegmentDecoder {
  private final boolean packetRows;
  private final CodeContext code;
  private final boolean instructionRows;
  // Per worker: a namer (with its cache) for each symbol map met, usually one per process.
  private final ThreadLocal<java.util.Map<iptq.symbols.SymbolMap, Namer>> namers =
      ThreadLocal.withInitial(java.util.IdentityHashMap::new);
  private final ThreadLocal<FlowTables.InstructionText> texts;

  private final boolean codeGiven;
  private final CodeNeeds needs;
  private final boolean modulesKnown;

  SegmentDecoder(boolean packetRows, CodeContext code, boolean instructionRows) {
    this(packetRows, code, instructionRows, code != CodeContext.NONE, null, false);
  }

  /**
   * @param codeGiven whether the user gave any code (a dump, --image-path, --image): tells the
   *     status {@code no-code-given} from {@code code-missing}
   * @param needs gathers each segment's status and what it ran into without code or names; null to skip
   * @param modulesKnown whether the trace lists its modules (an .etl): only then can an address
   *     be said to need a module
   */
  SegmentDecoder(boolean packetRows, CodeContext code, boolean instructionRows, boolean codeGiven,
      CodeNeeds needs, boolean modulesKnown) {
    this.modulesKnown = modulesKnown;
    this.codeGiven = codeGiven;
    this.needs = needs;
    this.packetRows = packetRows;
    this.code = code;
    this.instructionRows = instructionRows;
    this.texts = ThreadLocal.withInitial(() -> {
      iptq.x86.Disassembler d = new iptq.x86.Disassembler();
      return d::text;
    });
  }

  /**
   * The TSC value at ts = 0. A Windows IPT buffer ends at its kernel event, so where the segment
   * has the event's time and the TSC frequency is known, its last TSC estimate is that time; a
   * raw trace starts its clock at its first TSC (returned as unknown here, set on the way).
   */
  static long origin(SegmentInput in) {
    TimeBase time = in.time();
    if (time.tscOrigin() != TableWriter.NULL) return time.tscOrigin();
    if (in.ts() == TableWriter.NULL || !time.hasFrequency()) return TableWriter.NULL;
    PacketDecoder dec = in.decoders().get();
    Packet p = new Packet();
    PacketClock clock = new PacketClock(time.clock());
    long last = -1;
    for (PacketDecoder.Status st; (st = dec.next(p)) != PacketDecoder.Status.END; ) {
      if (st == PacketDecoder.Status.ERROR) {
        if (dec.sync() < 0) break;
        continue;
      }
      clock.update(p);
      if (clock.tsc() >= 0) last = clock.tsc();
    }
    if (last < 0) return TableWriter.NULL;
    return last - Math.round(in.ts() * (time.tscHz() / 1e9));
  }

  SegmentsTable.Segment decode(SegmentInput in, Tables t) {
    CodeImage image = code.imageFor(in);
    boolean flow = image != null;
    long id = in.segmentId();
    PacketDecoder dec = in.decoders().get();
    Packet p = new Packet();
    long packets = 0;
    int errors = 0;
    long skipped = in.skippedBytes();
    PacketClock clock = new PacketClock(in.time().clock());
    long origin = origin(in);
    SegmentNeeds need = needs == null || !modulesKnown ? null : new SegmentNeeds(code.symbolsFor(in));
    long cutOff = -1;
    while (true) {
      PacketDecoder.Status st = dec.next(p);
      if (st == PacketDecoder.Status.END) break;
      if (st == PacketDecoder.Status.ERROR) {
        DecodeError e = dec.lastError();
        long before = dec.skipped();
        long psb = dec.sync();
        long gap = dec.skipped() - before;
        // With code, the flow decoder meets the same packet errors and reports them itself.
        if (!flow) {
          t.errors.add(id, e.offset(), 0, false, e.kind(), e.message()
              + (psb < 0 ? "; no further PSB" : "; resumed at the PSB at 0x" + Long.toHexString(psb)), gap);
          errors++;
        }
        if (psb < 0) break;
        continue;
      }
      // What lies before the first PSB is the cut-off oldest part of a wrapped ring buffer.
      if (packets == 0) cutOff = in.skippedBytes() + dec.skipped();
      packets++;
      if (need != null && !flow && p.kind.hasIp() && !p.ipSuppressed) need.packetIp(p.ip);
      clock.update(p);
      long tsc = clock.tsc();
      if (origin == TableWriter.NULL && tsc >= 0) origin = tsc;
      if (packetRows) {
        long ns = in.time().toNs(tsc, origin);
        t.packets.add(id, p, tsc, ns == TableWriter.NULL ? in.ts() : ns);
      }
    }
    // Bytes before the first PSB are counted by the decoder as skipped, not reported as an error:
    // that is where a wrapped ring buffer's oldest, cut-off packets lie.
    skipped += dec.skipped();
    if (cutOff < 0) cutOff = skipped;
    long branches = 0, instructions = 0;
    int noCode = 0;
    if (flow) {
      FlowTables sink = new FlowTables(t, in, origin, image, namers.get().computeIfAbsent(code.symbolsFor(in), m -> new Namer(m, t.places)), code::pidOf,
          instructionRows ? texts.get() : null, need);
      FlowDecoder fd = new FlowDecoder(in.decoders().get(), image, sink);
      fd.decode();
      sink.finish();
      branches = sink.branches();
      instructions = fd.instructions();
      errors += sink.errors();
      noCode = sink.noCodeErrors();
    }
    String status = packets == 0 ? "empty"
        : !flow ? (codeGiven ? "code-missing" : "no-code-given")
        : noCode > 0 ? "code-missing" : errors > 0 ? "errors" : "ok";
    if (needs != null) needs.segment(id, status, need);
    return new SegmentsTable.Segment(id, in.traceId(), in.ts(), in.cpu(), in.pid(), in.tid(),
        in.trigger(), in.triggerEventId(), in.hasIptOption(), in.iptOption(), in.bufferSize(),
        in.fileOffset(), (int) Math.min(Integer.MAX_VALUE, in.sizeBytes()), in.tracePosition(),
        in.wrapped(), skipped, cutOff, packets, branches, instructions, errors, status);
  }

}
