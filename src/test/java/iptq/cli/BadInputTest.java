package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.InputException;
import iptq.image.PeFile;
import iptq.pt.PacketEncoder;
import iptq.pt.PacketKind;
import iptq.store.Store;
import iptq.symbols.PdbFile;
import iptq.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged input says what it is and where (issue 16, cases 1, 8 and 9): one line naming the file,
 * the offset and what is wrong; a damaged ipt.sys file is never read as raw PT; memory follows
 * what a file holds, not what its headers claim.
 */
class BadInputTest {
  @TempDir Path dir;

  static byte[] block(long tid, int timing, int mtc, int ringOffset, int traceSize, byte[] ring) {
    ByteBuffer b = ByteBuffer.allocate(28 + ring.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(tid).putInt(timing).putInt(mtc).putInt(2).putInt(ringOffset).putInt(traceSize).put(ring);
    return b.array();
  }

  static byte[] trace() {
    PacketEncoder e = new PacketEncoder();
    e.psb().ip(PacketKind.FUP, 0x401000).psbend().tnt8(3, 5).ip(PacketKind.TIP, 0x401100);
    return e.toByteArray();
  }

  String ingestError(String name, byte[] data) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, data);
    Cli r = Cli.run("ingest", f.toString(), "-o", dir.resolve(name + ".duckdb").toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("iptq: " + f + ": offset 0x"), err);
    return err.substring(("iptq: " + f + ": ").length());
  }

  @Test
  void anIptSysFileCutInsideItsFirstHeaderIsADamagedIptSysFile() throws Exception {
    byte[] b = Arrays.copyOf(block(4242, 0, 3, 0, 64, trace()), 20);
    assertEquals("offset 0x0: a damaged ipt.sys trace file: block 1's 28-byte header is cut off after 20 bytes",
        ingestError("cut.ipt", b));
  }

  @Test
  void anIptSysFieldOutOfRangeIsNamedWithItsOffset() throws Exception {
    byte[] t = trace();
    assertEquals("offset 0xc: a damaged ipt.sys trace file: block 1: MtcFrequency 16 is out of range (0 to 15)",
        ingestError("mtc.ipt", block(4242, 0, 16, 0, t.length, t)));
    assertEquals("offset 0x18: a damaged ipt.sys trace file: block 1: TraceSize 4096 runs past the end of the file ("
        + t.length + " bytes follow the header)", ingestError("size.ipt", block(4242, 0, 3, 0, 4096, t)));
    assertEquals("offset 0x14: a damaged ipt.sys trace file: block 1: RingBufferOffset 9999 lies past the ring's "
        + t.length + " bytes", ingestError("ring.ipt", block(4242, 0, 3, 9999, t.length, t)));
    ByteArrayOutputStream two = new ByteArrayOutputStream();
    two.writeBytes(block(4242, 0, 3, 0, t.length, t));
    two.writeBytes(Arrays.copyOf(block(4243, 0, 3, 0, t.length, t), 28 + 5));
    assertEquals("offset 0x" + Integer.toHexString(28 + t.length + 24) + ": a damaged ipt.sys trace file: block 2: TraceSize "
        + t.length + " runs past the end of the file (5 bytes follow the header)", ingestError("two.ipt", two.toByteArray()));
  }

  @Test
  void junkBeforeTheFirstPsbIsSkippedAndCounted() throws Exception {
    byte[] junk = new byte[4096];
    new Random(1).nextBytes(junk);
    for (int i = 0; i < junk.length; i++) if (junk[i] == 2) junk[i] = 3; // no PSB in the junk
    byte[] t = trace();
    byte[] all = Arrays.copyOf(junk, junk.length + t.length);
    System.arraycopy(t, 0, all, junk.length, t.length);
    Path f = dir.resolve("junk.pt");
    Files.write(f, all);
    Path db = dir.resolve("junk.duckdb");
    Cli r = Cli.run("ingest", f.toString(), "-o", db.toString());
    assertEquals(0, r.exit(), r.err());
    try (Connection c = Store.open(db, true); ResultSet rs = c.createStatement().executeQuery(
        "SELECT skipped_bytes, packets FROM segments")) {
      assertTrue(rs.next());
      assertEquals(4096, rs.getLong(1));
      assertEquals(5, rs.getLong(2));
    }
  }

  @Test
  void aTraceWhoseOnlyPsbIsDamagedSaysWhatWasLookedFor() throws Exception {
    byte[] t = trace();
    t[5] ^= 0x10;
    assertEquals("offset 0x0: not an .etl, ipt.sys or raw Intel PT trace: no ETW buffer header at offset 0, no ipt.sys"
        + " block header, and no PSB (02 82 repeated 8 times) anywhere in its " + t.length + " bytes",
        ingestError("flipped.pt", t));
  }

  @Test
  void aCutEtlSaysItIsACutEtl() throws Exception {
    byte[] etl = Files.readAllBytes(Fixtures.projectDir().resolve("sample/data/kernel-syscall.etl"));
    String m = ingestError("cut.etl", Arrays.copyOf(etl, 1000));
    assertTrue(m.startsWith("offset 0x3e8: a cut .etl file: it ends at offset 0x3e8 inside its first buffer, which is "), m);
  }

  @Test
  void peRvaErrorsNameTheFileOffsetOfTheRva() throws Exception {
    byte[] pe = Files.readAllBytes(Fixtures.projectDir().resolve("sample/bin/samplib.dll"));
    ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
    int opt = b.getInt(0x3C) + 24;
    int importDir = opt + 112 + 8; // PE32+: data directory 1
    b.putInt(importDir, 0x80000000);
    b.putInt(importDir + 4, 20);
    PeFile f = PeFile.of(Path.of("bad.dll"), pe);
    InputException e = assertThrows(InputException.class, f::imports);
    assertEquals(importDir, e.offset());
    assertEquals("bad.dll: offset 0x" + Integer.toHexString(importDir)
        + ": import descriptor at RVA 0x80000000 (20 bytes) is not in the file's sections", e.getMessage());
  }

  @Test
  void aMissingPdbStreamNamesWhereTheDirectorySaysSo() throws Exception {
    byte[] pdb = Files.readAllBytes(Fixtures.projectDir().resolve("sample/bin/sampapp.pdb"));
    ByteBuffer b = ByteBuffer.wrap(pdb).order(ByteOrder.LITTLE_ENDIAN);
    int pageSize = b.getInt(32);
    int listPage = b.getInt(52);
    int dirPage = b.getInt(listPage * pageSize);
    int entry = dirPage * pageSize + 4 + 4; // stream 1's size
    b.putInt(entry, -1);
    InputException e = assertThrows(InputException.class,
        () -> PdbFile.read(iptq.image.BinFile.of(Path.of("bad.pdb"), pdb)));
    assertEquals("bad.pdb: offset 0x" + Integer.toHexString(entry) + ": PDB info stream (stream 1) is missing", e.getMessage());
  }

  /**
   * Ten blocks, each claiming a 128 MiB ring, in a sparse file: ingested in a child JVM with a
   * 256 MiB heap, one ring at a time, where it ran out of memory before.
   */
  @Test
  void ringsClaimingMoreThanTheHeapAreDecodedWithinIt() throws Exception {
    Path f = dir.resolve("sparse.ipt");
    int ring = 128 << 20;
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      for (int i = 0; i < 10; i++) {
        raf.seek((long) i * (28 + ring));
        raf.write(block(100 + i, 0, 3, 0, ring, new byte[0]));
        raf.write(trace());
      }
      raf.setLength(10L * (28 + ring));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("log.txt");
    Process p = new ProcessBuilder(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "iptq.cli.Main", "ingest", f.toString(),
        "-o", dir.resolve("sparse.duckdb").toString(), "--no-packets"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("1 trace(s), 10 segment(s)"), out);
  }
}
