package iptq.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import iptq.etl.IptSysFile;
import iptq.image.ImageKind;
import iptq.etl.TraceFiles;
import java.nio.file.Path;

/** What an input file is, judged by its first bytes (never by its name). */
public enum FileKind {
  ETL("ETW trace (.etl)"),
  IPT_SYS("ipt.sys trace file"),
  RAW_PT("raw Intel PT trace"),
  MINIDUMP("user-mode minidump"),
  KERNEL_DUMP("kernel dump"),
  PE("PE image"),
  PDB("PDB (MSF 7.00)"),
  UNKNOWN("unknown");

  private final String description;

  FileKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  private static final byte[] PSB = {2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82,
      2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82, 2, (byte) 0x82};

  public static FileKind of(Path file) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file)) {
      while (head.hasRemaining() && ch.read(head) > 0) {
        // fill what the file has
      }
    }
    head.flip();
    // Code sources: the image package's own sniffer decides.
    switch (ImageKind.of(file)) {
      case MINIDUMP -> { return MINIDUMP; }
      case KERNEL_DUMP -> { return KERNEL_DUMP; }
      case PE -> { return PE; }
      case OTHER -> {}
    }
    if (head.remaining() >= 24 && startsWith(head, "Microsoft C/C++ MSF 7.00")) return PDB;
    if (startsWithPsb(head, 0)) return RAW_PT;
    // The trace formats have no magic number: the readers' own checks of their structure decide.
    if (TraceFiles.looksLikeEtl(file)) return ETL;
    if (IptSysFile.detect(file)) return IPT_SYS;
    // A raw trace may start mid-stream (a ring buffer dump): accept a PSB anywhere in the head.
    for (int i = 0; i + PSB.length <= head.remaining(); i++) if (startsWithPsb(head, i)) return RAW_PT;
    return UNKNOWN;
  }

  private static boolean startsWith(ByteBuffer b, String ascii) {
    for (int i = 0; i < ascii.length(); i++) if (b.get(i) != ascii.charAt(i)) return false;
    return true;
  }

  private static boolean startsWithPsb(ByteBuffer b, int at) {
    if (at + PSB.length > b.remaining()) return false;
    for (int i = 0; i < PSB.length; i++) if (b.get(at + i) != PSB[i]) return false;
    return true;
  }
}
