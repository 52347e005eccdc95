package iptq.etl;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The decoded payload of an event: one record per kernel event iptq uses, {@link Generic} for
 * everything else. {@link #fields()} is what goes into {@code events.fields} as JSON.
 */
public sealed interface EventData {
  /** Decoded fields by name, in payload order; empty for {@link Generic}. */
  Map<String, Object> fields();

  /** Process Start/End/DCStart/DCEnd/Defunct (and other Process types with this layout). */
  record Process(long uniqueProcessKey, int pid, int parentPid, int sessionId, int exitStatus,
      long directoryTableBase, int flags, String userSid, String imageFileName, String commandLine,
      String packageFullName, String applicationId) implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("UniqueProcessKey", hex(uniqueProcessKey));
      m.put("ProcessId", pid);
      m.put("ParentId", parentPid);
      m.put("SessionId", sessionId);
      m.put("ExitStatus", exitStatus);
      m.put("DirectoryTableBase", hex(directoryTableBase));
      m.put("Flags", flags);
      m.put("UserSID", userSid);
      m.put("ImageFileName", imageFileName);
      m.put("CommandLine", commandLine);
      if (packageFullName != null) m.put("PackageFullName", packageFullName);
      if (applicationId != null) m.put("ApplicationId", applicationId);
      return m;
    }
  }

  /** Thread Start/End/DCStart/DCEnd; addresses are 0 where the version has none. */
  record Thread(int pid, int tid, long stackBase, long stackLimit, long userStackBase,
      long userStackLimit, long startAddress, long win32StartAddress, long tebBase,
      int subProcessTag, boolean hasStartAddress) implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ProcessId", pid);
      m.put("TThreadId", tid);
      m.put("StackBase", hex(stackBase));
      m.put("StackLimit", hex(stackLimit));
      m.put("UserStackBase", hex(userStackBase));
      m.put("UserStackLimit", hex(userStackLimit));
      if (hasStartAddress) m.put("StartAddr", hex(startAddress));
      m.put("Win32StartAddr", hex(win32StartAddress));
      m.put("TebBase", hex(tebBase));
      m.put("SubProcessTag", subProcessTag);
      return m;
    }
  }

  record CSwitch(int newThreadId, int oldThreadId, int newThreadPriority, int oldThreadPriority,
      int previousCState, int oldThreadWaitReason, int oldThreadWaitMode, int oldThreadState,
      int oldThreadWaitIdealProcessor, int newThreadWaitTime) implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("NewThreadId", newThreadId);
      m.put("OldThreadId", oldThreadId);
      m.put("NewThreadPriority", newThreadPriority);
      m.put("OldThreadPriority", oldThreadPriority);
      m.put("PreviousCState", previousCState);
      m.put("OldThreadWaitReason", oldThreadWaitReason);
      m.put("OldThreadWaitMode", oldThreadWaitMode);
      m.put("OldThreadState", oldThreadState);
      m.put("OldThreadWaitIdealProcessor", oldThreadWaitIdealProcessor);
      m.put("NewThreadWaitTime", newThreadWaitTime);
      return m;
    }
  }

  /** Image Load/Unload/DCStart/DCEnd. */
  record Image(long imageBase, long imageSize, int pid, int checksum, int timeDateStamp,
      long defaultBase, String fileName) implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ImageBase", hex(imageBase));
      m.put("ImageSize", hex(imageSize));
      m.put("ProcessId", pid);
      m.put("ImageCheckSum", Integer.toUnsignedLong(checksum));
      m.put("TimeDateStamp", Integer.toUnsignedLong(timeDateStamp));
      m.put("DefaultBase", hex(defaultBase));
      m.put("FileName", fileName);
      return m;
    }

    /** The last path component: ntoskrnl.exe for \SystemRoot\system32\ntoskrnl.exe. */
    public String name() {
      int i = Math.max(fileName.lastIndexOf('\\'), fileName.lastIndexOf('/'));
      return fileName.substring(i + 1);
    }
  }

  /** Image KernelBase (0x1421) and HypercallPage (0x1422): one address. */
  record Address(String what, long address) implements EventData {
    @Override
    public Map<String, Object> fields() {
      return new LinkedHashMap<>(Map.of(what, hex(address)));
    }
  }

  /** KernelTraceControl ImageID (opcode 0). */
  record ImageId(long imageBase, long imageSize, int pid, int timeDateStamp, String originalFileName)
      implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ImageBase", hex(imageBase));
      m.put("ImageSize", hex(imageSize));
      m.put("ProcessId", pid);
      m.put("TimeDateStamp", Integer.toUnsignedLong(timeDateStamp));
      m.put("OriginalFileName", originalFileName);
      return m;
    }
  }

  /** KernelTraceControl DbgID_RSDS (opcode 36): the CodeView record that names the PDB. */
  record DbgIdRsds(long imageBase, int pid, UUID guid, int age, String pdbFileName)
      implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ImageBase", hex(imageBase));
      m.put("ProcessId", pid);
      m.put("GuidSig", guid.toString());
      m.put("Age", age);
      m.put("PdbFileName", pdbFileName);
      return m;
    }
  }

  record SystemCallEnter(long sysCallAddress) implements EventData {
    @Override
    public Map<String, Object> fields() {
      return new LinkedHashMap<>(Map.of("SysCallAddress", hex(sysCallAddress)));
    }
  }

  record SystemCallExit(int ntStatus) implements EventData {
    @Override
    public Map<String, Object> fields() {
      return new LinkedHashMap<>(Map.of("SysCallNtStatus", Integer.toUnsignedLong(ntStatus)));
    }
  }

  record StackWalk(long eventTimeStamp, int stackProcess, int stackThread, long[] stack)
      implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("EventTimeStamp", eventTimeStamp);
      m.put("StackProcess", stackProcess);
      m.put("StackThread", stackThread);
      java.util.List<String> s = new java.util.ArrayList<>(stack.length);
      for (long a : stack) s.add(hex(a));
      m.put("Stack", s);
      return m;
    }
  }

  /**
   * The IPT event (type 32 of class ff1fd2fd-6008-42bb-9e75-00a20051f3be): the tail of a
   * thread's IPT buffer, taken when the kernel event at {@code eventTimeStamp} was logged.
   * {@code trace} is TraceSize bytes as the circular buffer held them (not yet rotated).
   */
  record Ipt(long eventTimeStamp, int process, int thread, IptOption option, int traceSize,
      int tracePosition, ByteBuffer trace) implements EventData {
    @Override
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("EventTimeStamp", eventTimeStamp);
      m.put("Process", Integer.toUnsignedLong(process));
      m.put("Thread", Integer.toUnsignedLong(thread));
      m.put("IptOption", hex(option.value()));
      m.put("TraceSize", Integer.toUnsignedLong(traceSize));
      m.put("TracePosition", Integer.toUnsignedLong(tracePosition));
      return m;
    }
  }

  /** Any event iptq does not decode (or whose payload did not match the expected layout). */
  record Generic() implements EventData {
    public static final Generic INSTANCE = new Generic();

    @Override
    public Map<String, Object> fields() {
      return Map.of();
    }
  }

  static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }
}
