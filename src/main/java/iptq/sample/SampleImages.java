package iptq.sample;

import iptq.image.CodeViewRecord;
import iptq.image.ExportResolver;
import iptq.image.PeFile;
import iptq.image.PeImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The sample's four real PE images, each mapped at the load address of this (seeded) boot as
 * the Windows loader leaves it: relocated, IAT filled from the exports of the modules it imports
 * from, and, for the driver, the import-optimized call sites rewritten as the kernel rewrites
 * them (the image package's DVRT emulation). These bytes are what the interpreter runs and what
 * the dumps hold.
 */
final class SampleImages {
  /** One loaded module: where, its mapped bytes, and what an Image event says about it. */
  record Module(String name, String devicePath, PeFile pe, long base, byte[] bytes, boolean kernel) {
    long size() {
      return pe.sizeOfImage();
    }

    CodeViewRecord codeView() {
      return pe.codeView();
    }

    long export(String function) {
      PeFile.Export e = pe.exportIndex().get(function.toUpperCase(java.util.Locale.ROOT));
      if (e == null) throw new IllegalStateException(name + " does not export " + function);
      return base + e.rva();
    }

    boolean contains(long address) {
      return Long.compareUnsigned(address - base, size()) < 0;
    }
  }

  final Module ntstub, sampdrv, samplib, sampapp;

  SampleImages(Path bin, Random random) {
    // Kernel ASLR: 2 MiB-aligned slots in the system range; user DLLs and the EXE in the high
    // user range, 64 KiB-aligned, as Windows places them (once per boot for DLLs).
    // The driver lies within rel32 reach of the kernel, as import optimization requires.
    long ntBase = 0xFFFFF80000000000L + ((0x2800L + random.nextInt(0x400)) << 21);
    long drvBase = ntBase + 0x0200_0000L + ((long) random.nextInt(0x400) << 16);
    long libBase = 0x00007FF800000000L + ((long) random.nextInt(0x7FFF) << 16);
    long appBase = 0x00007FF600000000L + ((long) random.nextInt(0x7FFF) << 16);
    PeFile nt = PeFile.open(bin.resolve("ntstub.sys"));
    PeFile drv = PeFile.open(bin.resolve("sampdrv.sys"));
    PeFile lib = PeFile.open(bin.resolve("samplib.dll"));
    PeFile app = PeFile.open(bin.resolve("sampapp.exe"));
    ExportResolver kernel = new ExportResolver().add("ntstub.sys", nt, ntBase);
    ExportResolver user = new ExportResolver().add("samplib.dll", lib, libBase);
    ntstub = map("ntstub.sys", "\\SystemRoot\\system32\\ntstub.sys", nt, ntBase, kernel, true);
    sampdrv = map("sampdrv.sys", "\\SystemRoot\\system32\\drivers\\sampdrv.sys", drv, drvBase, kernel, true);
    samplib = map("samplib.dll", "\\Device\\HarddiskVolume3\\iptq\\sample\\samplib.dll", lib, libBase, user, false);
    sampapp = map("sampapp.exe", "\\Device\\HarddiskVolume3\\iptq\\sample\\sampapp.exe", app, appBase, user, false);
  }

  private static Module map(String name, String device, PeFile pe, long base, ExportResolver r, boolean kernel) {
    PeImage img = new PeImage(pe, base, r, PeImage.Options.MEMORY);
    if (!img.unfixableSites().isEmpty()) {
      throw new IllegalStateException(name + ": " + img.unfixableSites().get(0).describe());
    }
    return new Module(name, device, pe, base, img.bytes(), kernel);
  }

  List<Module> kernelModules() {
    return List.of(ntstub, sampdrv);
  }

  List<Module> userModules() {
    return List.of(sampapp, samplib);
  }

  List<Module> all() {
    return List.of(ntstub, sampdrv, sampapp, samplib);
  }

  void close() {
    for (Module m : all()) m.pe().close();
  }
}
