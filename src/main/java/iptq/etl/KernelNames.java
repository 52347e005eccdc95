package iptq.etl;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Names of the NT kernel logger's event groups and events, as users know them. */
public final class KernelNames {
  private KernelNames() {}

  public static final int GROUP_HEADER = 0x00;
  public static final int GROUP_PROCESS = 0x03;
  public static final int GROUP_THREAD = 0x05;
  public static final int GROUP_PERFINFO = 0x0F;
  public static final int GROUP_IMAGE = 0x14;
  public static final int GROUP_STACKWALK = 0x18;

  public static final UUID IPT_CLASS = UUID.fromString("ff1fd2fd-6008-42bb-9e75-00a20051f3be");
  /** KernelTraceControl's ImageID/DbgID events, under either GUID tools use for them. */
  public static final UUID IMAGE_ID = UUID.fromString("b3a7698a-0c45-44da-b73d-e181c9b5c8e6");
  public static final UUID KERNEL_TRACE_CONTROL = UUID.fromString("28ad2447-105b-4fe2-9599-e59b2aa9a634");

  private static final String[] GROUPS = new String[256];
  private static final Map<UUID, Integer> GROUP_OF_GUID = new HashMap<>();
  private static final Map<Integer, String> EVENTS = new HashMap<>();
  /** Names of every HookId, known or "Group/type", made once: no work per event. */
  private static final String[] BY_HOOK = new String[65536];

  private static void group(int g, String name, String guid) {
    GROUPS[g] = name;
    if (guid != null) GROUP_OF_GUID.put(UUID.fromString(guid), g);
  }

  static {
    group(0x00, "EventTrace", "68fdd900-4a3e-11d1-84f4-0000f80464e3");
    group(0x01, "DiskIo", "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c");
    group(0x02, "PageFault", "3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c");
    group(0x03, "Process", "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c");
    group(0x04, "FileIo", "90cbdc39-4a3e-11d1-84f4-0000f80464e3");
    group(0x05, "Thread", "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c");
    group(0x06, "TcpIp", "9a280ac0-c8e0-11d1-84e2-00c04fb998a2");
    group(0x07, "Job", null);
    group(0x08, "UdpIp", "bf3a50c5-a9c9-4988-a005-2df0b7c80f80");
    group(0x09, "Registry", "ae53722e-c863-11d2-8659-00c04fa321a1");
    group(0x0A, "DebugPrint", null);
    group(0x0B, "SystemConfig", "01853a65-418f-4f36-aefc-dc0f1d2fd235");
    group(0x0D, "Wnf", null);
    group(0x0E, "Pool", null);
    group(0x0F, "PerfInfo", "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc");
    group(0x10, "Heap", null);
    group(0x11, "Object", null);
    group(0x12, "Power", null);
    group(0x13, "ModBound", null);
    group(0x14, "Image", "2cb15d1d-5fc1-11d2-abe1-00a0c911f518");
    group(0x15, "Dpc", null);
    group(0x16, "CacheManager", null);
    group(0x17, "CritSec", null);
    group(0x18, "StackWalk", "def2fe46-7bd6-4b80-bd94-f57fe20d0ce3");
    group(0x19, "Ums", null);
    group(0x1A, "ALPC", "45d8cccd-539f-4b72-a8b7-5c683142609a");
    group(0x1B, "SplitIo", null);
    group(0x1C, "ThreadPool", null);
    group(0x1D, "Hypervisor", null);
    group(0x1E, "HypervisorX", null);

    EVENTS.put(0x0000, "Header");
    EVENTS.put(0x0005, "Extension");
    EVENTS.put(0x0008, "RundownComplete");
    EVENTS.put(0x0020, "EndExtension");
    EVENTS.put(0x0301, "ProcessStart");
    EVENTS.put(0x0302, "ProcessEnd");
    EVENTS.put(0x0303, "ProcessDCStart");
    EVENTS.put(0x0304, "ProcessDCEnd");
    EVENTS.put(0x030B, "ProcessTerminate");
    EVENTS.put(0x0320, "ProcessPerfCtr");
    EVENTS.put(0x0321, "ProcessPerfCtrRundown");
    EVENTS.put(0x0327, "ProcessDefunct");
    EVENTS.put(0x0501, "ThreadStart");
    EVENTS.put(0x0502, "ThreadEnd");
    EVENTS.put(0x0503, "ThreadDCStart");
    EVENTS.put(0x0504, "ThreadDCEnd");
    EVENTS.put(0x0524, "CSwitch");
    EVENTS.put(0x0532, "ReadyThread");
    EVENTS.put(0x0F2E, "SampledProfile");
    EVENTS.put(0x0F33, "SystemCallEnter");
    EVENTS.put(0x0F34, "SystemCallExit");
    EVENTS.put(0x0F42, "ThreadedDPC");
    EVENTS.put(0x0F43, "ISR");
    EVENTS.put(0x0F44, "DPC");
    EVENTS.put(0x0F45, "TimerDPC");
    EVENTS.put(0x1402, "ImageUnload");
    EVENTS.put(0x1403, "ImageDCStart");
    EVENTS.put(0x1404, "ImageDCEnd");
    EVENTS.put(0x140A, "ImageLoad");
    EVENTS.put(0x1421, "KernelBase");
    EVENTS.put(0x1422, "HypercallPage");
    EVENTS.put(0x1820, "StackWalk");
  }

  /** The group's name (Process, Thread, Image, ...) or "Group0xNN". */
  public static String groupName(int group) {
    String g = group >= 0 && group < 256 ? GROUPS[group] : null;
    return g != null ? g : String.format("Group0x%02X", group);
  }

  /** Kernel group for a classic-header GUID, or -1. */
  public static int groupOfGuid(UUID guid) {
    Integer g = GROUP_OF_GUID.get(guid);
    return g == null ? -1 : g;
  }

  /** Event name for a HookId: ProcessStart, CSwitch, SystemCallExit, ... or "Group/type". */
  public static String eventName(int hookId) {
    int h = hookId & 0xFFFF;
    String n = BY_HOOK[h];
    if (n == null) {
      n = EVENTS.get(h);
      if (n == null) n = groupName(h >>> 8) + "/" + (h & 0xFF);
      BY_HOOK[h] = n;
    }
    return n;
  }

  public static boolean known(int hookId) {
    return EVENTS.containsKey(hookId);
  }
}
