package iptq.etl;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * One event of an .etl file, as read: the header fields every kind has, the kind-specific ones
 * (NULL-like values where a kind has none), the raw payload and its decoding.
 *
 * @param ordinal position in time order, from 1 (the {@code events.event_id} within a trace)
 * @param rawTs the timestamp as stored (clock ticks); {@code ts} is ns since the trace start
 * @param pid process id, -1 where the header carries none (PERFINFO)
 * @param tid thread id, -1 where the header carries none
 * @param hookId group << 8 | type for kernel headers (and classic kernel GUIDs), else -1
 * @param opcode the event type within its group/provider
 * @param provider provider or class GUID; null for kernel headers
 * @param providerName kernel group name, TraceLogging provider name, or null
 * @param name event name as users know it
 * @param pmc performance counters of a PERFINFO/SYSTEM extension, empty when none
 * @param pebsIndex the 8-byte extension word (0x8000 marker bit), or 0
 * @param payload the payload bytes, little endian, read-only
 * @param fileOffset where the payload lies in the file (inside a compressed buffer: the buffer)
 */
public record EtlEvent(long ordinal, HeaderKind kind, int headerType, int cpu, long rawTs, long ts,
    int pid, int tid, int hookId, int opcode, int version, int flags, UUID provider,
    String providerName, String name, int eventId, int level, int task, int channel, long keyword,
    long pebsIndex, long[] pmc, List<ExtendedItem> extended, ByteBuffer payload, long fileOffset,
    int pointerSize, EventData data) {

  public int group() {
    return hookId < 0 ? -1 : hookId >>> 8;
  }

  public int payloadSize() {
    return payload.remaining();
  }

  /** The group name for kernel events, the provider's name or GUID otherwise. */
  public String providerText() {
    if (providerName != null) return providerName;
    return provider != null ? provider.toString() : "unknown";
  }
}
