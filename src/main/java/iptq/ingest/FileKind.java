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
    // Damaged files of the two formats without magic: their readers say what is wrong and where,
    // instead of the bytes being decoded as a raw trace (or called unknown).
    if (TraceFiles.looksLikeCutEtl(file)) return ETL;
    if (IptSysFile.looksLike(head)) return IPT_SYS;
    // A raw trace may start mid-stream (a ring buffer dump, junk before the first PSB): a PSB
    // anywhere makes it one; the decoder skips to it and counts the bytes skipped.
    return firstPsb(file) >= 0 ? RAW_PT : UNKNOWN;
  }

  /** What {@link #UNKNOWN} means: what was looked for and not found, for the user. */
  public static String unknownWhy(Path file) throws IOException {
    return "not an .etl, ipt.sys or raw Intel PT trace: no ETW buffer header at offset 0, no ipt.sys block"
        + " header, and no PSB (02 82 repeated 8 times) anywhere in its " + java.nio.file.Files.size(file) + " bytes";
  }

  /** The offset of the first PSB in the file, or -1: the whole file is searched, a chunk at a time. */
  public static long firstPsb(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      ByteBuffer b = ByteBuffer.allocate(1 << 20);
      long base = 0;
      while (true) {
        b.clear();
        while (b.hasRemaining() && ch.read(b, base + b.position()) > 0) {
          // fill the chunk
        }
        b.flip();
        for (int i = 0; i + PSB.length <= b.remaining(); i++) if (startsWithPsb(b, i)) return base + i;
        if (b.remaining() < b.capacity()) return -1;
        base += b.remaining() - (PSB.length - 1); // a PSB across the boundary is found in the next chunk
      }
    }
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
