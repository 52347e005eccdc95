package iptq.cli;

import iptq.InputException;
import iptq.image.CodeViewRecord;
import iptq.image.Dvrt;
import iptq.image.ImageKind;
import iptq.image.KernelDump;
import iptq.image.Minidump;
import iptq.image.PeFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code iptq info} prints for code sources: minidumps, kernel dumps and PE files
 * (.exe/.dll/.sys). The {@code info} command dispatches here by {@link #kindOf(Path)}.
 */
public final class ImageInfo {
  private ImageInfo() {}

  /** Recognises the file by its first bytes. */
  public static ImageKind kindOf(Path file) {
    return ImageKind.of(file);
  }

  /** Whether {@link #describe} handles this file. */
  public static boolean handles(Path file) {
    return kindOf(file) != ImageKind.OTHER;
  }

  public static void describe(Path file, PrintStream out) {
    switch (kindOf(file)) {
      case MINIDUMP -> describeMinidump(file, out);
      case KERNEL_DUMP -> describeKernelDump(file, out);
      case PE -> describePe(file, out);
      default -> throw new InputException(file, 0, "not a minidump, kernel dump or PE file");
    }
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  static void describeMinidump(Path file, PrintStream out) {
    try (Minidump d = Minidump.open(file)) {
      out.printf("minidump %s%n", file);
      out.printf("  version 0x%x, %d streams, TimeDateStamp 0x%x, flags 0x%x%n", d.version(), d.streams().size(),
          d.timeDateStamp(), d.flags());
      Minidump.SystemInfo si = d.systemInfo();
      if (si != null) {
        out.printf("  system: architecture %d%s, Windows %d.%d.%d, %d processors%n", si.processorArchitecture(),
            si.processorArchitecture() == 9 ? " (AMD64)" : "", si.majorVersion(), si.minorVersion(), si.buildNumber(),
            si.numberOfProcessors());
      }
      if (d.miscInfo() != null && d.miscInfo().processId() >= 0) out.printf("  process id %d%n", d.miscInfo().processId());
      long bytes = d.memory().stream().mapToLong(Minidump.MemoryRange::size).sum();
      out.printf("  %d threads, %d modules, %d memory ranges (%d bytes)%n", d.threads().size(), d.modules().size(),
          d.memory().size(), bytes);
      for (Minidump.Module m : d.modules()) {
        out.printf("  module %-18s size %-9s %s%s%n", hex(m.base()), hex(m.size()), m.name(),
            m.codeView() == null ? "" : "  pdb " + m.codeView().pdbName() + " " + m.codeView().debugId());
      }
      for (Minidump.ThreadInfo t : d.threads()) {
        out.printf("  thread %d rip %s rsp %s%n", t.threadId(), hex(t.rip()), hex(t.rsp()));
      }
    }
  }

  static void describeKernelDump(Path file, PrintStream out) {
    try (KernelDump d = KernelDump.open(file)) {
      out.printf("kernel dump %s%n", file);
      out.printf("  type %d (%s), %d physical pages stored%n", d.dumpType(), KernelDump.typeName(d.dumpType()), d.storedPages());
      out.printf("  DirectoryTableBase %s, PsLoadedModuleList %s, bug check %s, %d processors%n",
          hex(d.directoryTableBase()), hex(d.psLoadedModuleList()), hex(d.bugCheckCode()), d.numberProcessors());
      if (!d.comment().isEmpty()) out.printf("  comment: %s%n", d.comment());
      out.printf("  %d loaded modules%n", d.modules().size());
      for (KernelDump.KernelModule m : d.modules()) {
        out.printf("  module %-18s size %-9s %s%n", hex(m.base()), hex(m.size()), m.fullName());
      }
    }
  }

  static void describePe(Path file, PrintStream out) {
    try (PeFile pe = PeFile.open(file)) {
      out.printf("PE %s%n", file);
      out.printf("  machine 0x%x, %s, ImageBase %s, SizeOfImage %s, entry RVA %s%n", pe.machine(),
          pe.isPe32Plus() ? "PE32+" : "PE32", hex(pe.imageBase()), hex(pe.sizeOfImage()), hex(pe.entryPoint()));
      out.printf("  TimeDateStamp 0x%08x, CheckSum 0x%08x (computed 0x%08x)%n", pe.timeDateStamp(), pe.checkSum(),
          pe.computeCheckSum());
      CodeViewRecord cv = pe.codeView();
      if (cv != null) out.printf("  pdb %s, GUID %s, age %d, debug id %s%n", cv.pdbPath(), cv.guidString(), cv.age(), cv.debugId());
      for (PeFile.Section s : pe.sections()) {
        out.printf("  section %-8s RVA %-8s size %-8s%s%n", s.name(), hex(s.virtualAddress()), hex(s.virtualSize()),
            s.executable() ? " code" : "");
      }
      Map<String, Integer> perDll = new TreeMap<>();
      for (PeFile.Import i : pe.imports()) perDll.merge(i.dll(), 1, Integer::sum);
      out.printf("  %d imports%s%n", pe.imports().size(), perDll.isEmpty() ? "" : " " + perDll);
      out.printf("  %d exports, %d base relocations%n", pe.exports().size(), pe.relocations().size());
      Dvrt d = pe.dvrt();
      if (d != null) {
        out.printf("  DVRT version %d: %d import control transfer, %d indirect control transfer, %d switchable branch, %d function override%s%n",
            d.version(), d.importControlTransfers().size(), d.indirectControlTransfers().size(),
            d.switchableBranches().size(), d.functionOverrides().size(),
            d.otherSymbols().isEmpty() ? "" : ", other symbols " + d.otherSymbols());
      }
    }
  }
}
