package iptq.symbols;

import iptq.InputException;
import iptq.image.BinFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A PDB read for what naming code needs: its identity (info stream: version, signature, age,
 * GUID), the DBI header, the image's section headers, the public symbols from the symbol record
 * stream and the procedures (with sizes) from the module streams. Everything is read at open and
 * the file closed; every size and index from the file is checked before use.
 */
public final class PdbFile {
  static final int STREAM_INFO = 1, STREAM_DBI = 3;
  private static final int DBI_HEADER = 64, MODULE_FIXED = 64, SECTION_HEADER = 40;
  /** Optional debug header entries: OMAP from source, section headers, original section headers. */
  private static final int DBG_OMAP_FROM_SRC = 4, DBG_SECTION_HDR = 5, DBG_SECTION_HDR_ORIG = 10;
  private static final int NO_STREAM = 0xFFFF;

  private final Path path;
  private final int pageSize;
  private final long numPages;
  private final int streamCount;
  private final long version;
  private final long signature;
  private final int age;
  private final UUID guid;
  private final int dbiAge;
  private final int machine;
  private final int symRecordStream;
  private final int publicStream;
  private final int globalStream;
  private final int sectionStream;
  private final boolean omap;
  private final List<PdbSection> sections;
  private final List<PdbSection> originalSections;
  private final List<PdbModule> modules;
  private final List<PdbSymbol> publics;
  private final List<PdbSymbol> procedures;
  private final int skippedModules;

  private PdbFile(Builder b) {
    path = b.path;
    pageSize = b.pageSize;
    numPages = b.numPages;
    streamCount = b.streamCount;
    version = b.version;
    signature = b.signature;
    age = b.age;
    guid = b.guid;
    dbiAge = b.dbiAge;
    machine = b.machine;
    symRecordStream = b.symRecordStream;
    publicStream = b.publicStream;
    globalStream = b.globalStream;
    sectionStream = b.sectionStream;
    omap = b.omap;
    sections = Collections.unmodifiableList(b.sections);
    originalSections = Collections.unmodifiableList(b.originalSections);
    modules = Collections.unmodifiableList(b.modules);
    publics = Collections.unmodifiableList(b.publics);
    procedures = Collections.unmodifiableList(b.procedures);
    skippedModules = b.skippedModules;
  }

  private static final class Builder {
    Path path;
    int pageSize, streamCount, age, dbiAge, machine, symRecordStream, publicStream, globalStream;
    int sectionStream = -1, skippedModules;
    long version, signature, numPages;
    UUID guid;
    boolean omap;
    List<PdbSection> sections = new ArrayList<>();
    List<PdbSection> originalSections = new ArrayList<>();
    long[] omapFrom, omapTo;
    List<PdbModule> modules = new ArrayList<>();
    List<PdbSymbol> publics = new ArrayList<>();
    List<PdbSymbol> procedures = new ArrayList<>();
  }

  /** The GUID and age from a PDB's info stream, without reading the rest. */
  public record Identity(long version, long signature, int age, UUID guid) {
    public String key() {
      return PdbId.key(guid, age);
    }
  }

  public static PdbFile open(Path path) {
    try (BinFile f = BinFile.open(path)) {
      return read(f);
    }
  }

  /**
   * Opens the PDB an image names and checks it is that PDB: the GUIDs must be equal and the PDB's
   * age not lower than the image's.
   */
  public static PdbFile open(Path path, PdbId expected) {
    try (BinFile f = BinFile.open(path)) {
      Msf msf = Msf.read(f);
      Identity id = identity(msf);
      String mismatch = mismatch(id, expected);
      if (mismatch != null) throw new InputException(path, -1, mismatch);
      return read(msf, id);
    }
  }

  /** Why {@code id} is not the PDB {@code expected} names, or null when it is. */
  public static String mismatch(Identity id, PdbId expected) {
    if (!id.guid().equals(expected.guid()) || Integer.toUnsignedLong(id.age()) < Integer.toUnsignedLong(expected.age())) {
      return "PDB GUID " + PdbId.guidString(id.guid()) + " age " + id.age() + " does not match the image's GUID "
          + PdbId.guidString(expected.guid()) + " age " + expected.age() + " (" + expected.name() + ")";
    }
    return null;
  }

  public static Identity identity(Path path) {
    try (BinFile f = BinFile.open(path)) {
      return identity(Msf.read(f));
    }
  }

  static Identity identity(Msf msf) {
    StreamData info = msf.stream(STREAM_INFO, 28, "PDB info stream");
    info.check(0, 28, "PDB info header");
    return new Identity(info.u32(0, "Version"), info.u32(4, "Signature"), (int) info.u32(8, "Age"),
        PdbId.guidFromBytes(info.bytes(12, 16, "GUID"), 0));
  }

  public static PdbFile read(BinFile f) {
    Msf msf = Msf.read(f);
    return read(msf, identity(msf));
  }

  private static PdbFile read(Msf msf, Identity id) {
    Builder b = new Builder();
    b.path = msf.file().path();
    b.pageSize = msf.pageSize();
    b.numPages = msf.numPages();
    b.streamCount = msf.streamCount();
    b.version = id.version();
    b.signature = id.signature();
    b.age = id.age();
    b.guid = id.guid();
    readDbi(msf, b);
    return new PdbFile(b);
  }

  private static void readDbi(Msf msf, Builder b) {
    if (!msf.exists(STREAM_DBI) || msf.streamSize(STREAM_DBI) == 0) {
      throw new InputException(b.path, msf.directoryEntry(STREAM_DBI), "the PDB has no DBI stream (stream 3), so no symbols");
    }
    StreamData dbi = msf.stream(STREAM_DBI, "DBI stream");
    dbi.check(0, DBI_HEADER, "DBI header");
    if (dbi.u32(0, "DBI signature") != 0xFFFFFFFFL) throw dbi.error(0, "DBI signature is not 0xFFFFFFFF (an old-format DBI)");
    b.dbiAge = (int) dbi.u32(8, "DBI age");
    b.globalStream = dbi.u16(12, "GlobalStreamIndex");
    b.publicStream = dbi.u16(16, "PublicStreamIndex");
    b.symRecordStream = dbi.u16(20, "SymRecordStream");
    b.machine = dbi.u16(58, "Machine");
    String[] names = {"ModInfoSize", "SectionContributionSize", "SectionMapSize", "SourceInfoSize",
        "TypeServerMapSize", "ECSubstreamSize", "OptionalDbgHeaderSize"};
    int[] at = {24, 28, 32, 36, 40, 52, 48}; // substreams in file order; EC comes before the debug header
    long[] start = new long[7];
    long pos = DBI_HEADER;
    for (int i = 0; i < 7; i++) {
      long size = dbi.size32(at[i], names[i]);
      start[i] = pos;
      pos += size;
      if (pos > dbi.length()) throw dbi.error(at[i], names[i] + " " + size + " runs past the end of the DBI stream");
    }
    readModules(msf, dbi, (int) start[0], (int) (start[1] - start[0]), b);
    int dbgStart = (int) start[6], dbgLen = (int) (pos - start[6]);
    int sectionStream = debugStream(dbi, dbgStart, dbgLen, DBG_SECTION_HDR);
    int omapFromSrc = debugStream(dbi, dbgStart, dbgLen, DBG_OMAP_FROM_SRC);
    b.sectionStream = sectionStream;
    if (sectionStream >= 0 && msf.exists(sectionStream)) {
      b.sections = readSections(msf.stream(sectionStream, "section header stream"));
    }
    b.omap = omapFromSrc >= 0 && msf.exists(omapFromSrc) && msf.streamSize(omapFromSrc) > 0;
    if (b.omap) {
      // The image was rearranged after linking: symbols' segment:offset refer to the original
      // sections, and the OMAP maps those addresses to the final image's.
      int orig = debugStream(dbi, dbgStart, dbgLen, DBG_SECTION_HDR_ORIG);
      if (orig < 0 || !msf.exists(orig)) {
        throw new InputException(b.path, dbi.error(dbgStart, "").offset(), "the PDB has an OMAP but no original section headers");
      }
      b.originalSections = readSections(msf.stream(orig, "original section header stream"));
      readOmap(msf.stream(omapFromSrc, "OMAP-from-source stream"), b);
    } else {
      b.originalSections = b.sections;
    }
    if (b.symRecordStream != NO_STREAM && msf.exists(b.symRecordStream)) {
      readPublics(msf.stream(b.symRecordStream, "symbol record stream"), b);
    }
    for (PdbModule m : b.modules) readProcedures(msf, m, b);
  }

  private static int debugStream(StreamData dbi, int start, int len, int entry) {
    if ((entry + 1) * 2 > len) return -1;
    int s = dbi.u16(start + 2 * entry, "optional debug header entry " + entry);
    return s == NO_STREAM ? -1 : s;
  }

  private static void readModules(Msf msf, StreamData dbi, int start, int len, Builder b) {
    int end = start + len, pos = start;
    while (pos < end) {
      if (end - pos < MODULE_FIXED) throw dbi.error(pos, "module info entry truncated (" + (end - pos) + " bytes left)");
      int stream = dbi.u16(pos + 34, "ModuleSymStream");
      long symBytes = dbi.u32(pos + 36, "SymByteSize");
      int nameEnd = dbi.nulBefore(pos + MODULE_FIXED, end);
      if (nameEnd < 0) throw dbi.error(pos + MODULE_FIXED, "module name is not NUL-terminated inside the module info substream");
      int objEnd = dbi.nulBefore(nameEnd + 1, end);
      if (objEnd < 0) throw dbi.error(nameEnd + 1, "object file name is not NUL-terminated inside the module info substream");
      String name = dbi.cstring(pos + MODULE_FIXED, nameEnd + 1, "module name");
      String obj = dbi.cstring(nameEnd + 1, objEnd + 1, "object file name");
      b.modules.add(new PdbModule(name, obj, stream == NO_STREAM ? -1 : stream, symBytes));
      pos = (objEnd + 1 + 3) & ~3;
    }
  }

  private static List<PdbSection> readSections(StreamData s) {
    List<PdbSection> out = new ArrayList<>();
    for (int pos = 0; pos + SECTION_HEADER <= s.length(); pos += SECTION_HEADER) {
      byte[] raw = s.bytes(pos, 8, "section name");
      int n = 0;
      while (n < 8 && raw[n] != 0) n++;
      out.add(new PdbSection(iptq.Printable.of(new String(raw, 0, n, StandardCharsets.UTF_8)), s.u32(pos + 12, "VirtualAddress"),
          s.u32(pos + 8, "VirtualSize"), s.u32(pos + 36, "Characteristics")));
    }
    return out;
  }

  /** OMAP entries {u32 source RVA, u32 target RVA}, sorted by source (checked: lookups search them). */
  private static void readOmap(StreamData s, Builder b) {
    int n = s.length() / 8;
    b.omapFrom = new long[n];
    b.omapTo = new long[n];
    for (int i = 0; i < n; i++) {
      b.omapFrom[i] = s.u32(8 * i, "OMAP source RVA");
      b.omapTo[i] = s.u32(8 * i + 4, "OMAP target RVA");
      if (i > 0 && b.omapFrom[i] < b.omapFrom[i - 1]) throw s.error(8 * i, "OMAP entries are not sorted by source RVA");
    }
  }

  /** The final image RVA of an original RVA through the OMAP, or -1 where the code was dropped. */
  private static long translate(Builder b, long rva) {
    long[] from = b.omapFrom;
    int lo = 0, hi = from.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (from[mid] <= rva) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0 || b.omapTo[hi] == 0) return -1;
    return b.omapTo[hi] + (rva - from[hi]);
  }

  /** Walks symbol records {u16 length, u16 kind, ...} in {@code [start, end)}, handing each to {@code each}. */
  private static void walk(StreamData s, int start, int end, RecordHandler each) {
    int pos = start;
    while (pos + 4 <= end) {
      int len = s.u16(pos, "symbol record length");
      if (len < 2) throw s.error(pos, "symbol record of length " + len + " (too short to hold its kind)");
      int recEnd = pos + 2 + len;
      if (recEnd > end) throw s.error(pos, "symbol record of " + len + " bytes runs past the end of its stream");
      each.record(s.u16(pos + 2, "symbol kind"), pos, recEnd);
      pos = recEnd;
    }
  }

  private interface RecordHandler {
    void record(int kind, int pos, int end);
  }

  private static void readPublics(StreamData s, Builder b) {
    walk(s, 0, s.length(), (kind, pos, end) -> {
      if (kind != PdbSymbol.S_PUB32) return;
      s.check(pos + 4, 10, "S_PUB32 fields");
      if (pos + 14 > end) throw s.error(pos, "S_PUB32 record too short for its fields");
      int flags = (int) s.u32(pos + 4, "S_PUB32 flags");
      long off = s.u32(pos + 8, "S_PUB32 offset");
      int seg = s.u16(pos + 12, "S_PUB32 segment");
      String name = s.cstring(pos + 14, end, "S_PUB32 name");
      b.publics.add(new PdbSymbol(kind, seg, off, rva(b, seg, off), 0, flags, name));
    });
  }

  private static void readProcedures(Msf msf, PdbModule m, Builder b) {
    if (m.symbolStream() < 0 || m.symbolBytes() <= 4) return;
    if (!msf.exists(m.symbolStream())) {
      throw new InputException(b.path, msf.directoryEntry(m.symbolStream()), "module " + m.name() + " names symbol stream " + m.symbolStream() + ", which does not exist");
    }
    if (m.symbolBytes() > msf.streamSize(m.symbolStream())) {
      throw new InputException(b.path, msf.fileOffset(m.symbolStream(), 0), "module " + m.name() + " claims "
          + m.symbolBytes() + " bytes of symbols in a stream of " + msf.streamSize(m.symbolStream()));
    }
    StreamData s = msf.stream(m.symbolStream(), (int) m.symbolBytes(), "symbols of module " + m.name());
    if (s.u32(0, "module symbols signature") != 4) {
      b.skippedModules++; // not CodeView C13 symbols: an old compiler's format we do not read
      return;
    }
    walk(s, 4, s.length(), (kind, pos, end) -> {
      if (kind != PdbSymbol.S_GPROC32 && kind != PdbSymbol.S_LPROC32 && kind != PdbSymbol.S_GPROC32_ID
          && kind != PdbSymbol.S_LPROC32_ID) {
        return;
      }
      if (pos + 39 > end) throw s.error(pos, PdbSymbol.kindName(kind) + " record too short for its fields");
      long size = s.u32(pos + 16, "procedure CodeSize");
      long off = s.u32(pos + 32, "procedure CodeOffset");
      int seg = s.u16(pos + 36, "procedure Segment");
      String name = s.cstring(pos + 39, end, "procedure name");
      b.procedures.add(new PdbSymbol(kind, seg, off, rva(b, seg, off), size, 0, name));
    });
  }

  private static long rva(Builder b, int segment, long offset) {
    if (segment < 1 || segment > b.originalSections.size()) return -1;
    long rva = b.originalSections.get(segment - 1).virtualAddress() + offset;
    return b.omap ? translate(b, rva) : rva;
  }

  public Path path() {
    return path;
  }

  public int pageSize() {
    return pageSize;
  }

  /** NumPages from the superblock. */
  public long numPages() {
    return numPages;
  }

  public int streamCount() {
    return streamCount;
  }

  /** The PDB info stream's version (20000404 for VC 7.0 and later). */
  public long version() {
    return version;
  }

  public long signature() {
    return signature;
  }

  /** The info stream's age: the one symbol stores and RSDS records use. */
  public int age() {
    return age;
  }

  public int dbiAge() {
    return dbiAge;
  }

  public UUID guid() {
    return guid;
  }

  public Identity identity() {
    return new Identity(version, signature, age, guid);
  }

  /** The symbol store key / Breakpad debug id: GUID then age in hex. */
  public String key() {
    return PdbId.key(guid, age);
  }

  /** The IMAGE_FILE_MACHINE value from the DBI header (0x8664 for x64). */
  public int machine() {
    return machine;
  }

  public int symRecordStream() {
    return symRecordStream;
  }

  public int publicStream() {
    return publicStream;
  }

  public int globalStream() {
    return globalStream;
  }

  /** The stream the section headers came from, or -1. */
  public int sectionStream() {
    return sectionStream;
  }

  /**
   * Whether the image was rearranged after linking and the PDB maps addresses through OMAP; the
   * symbols' RVAs are then already translated (procedure sizes stay those of the original code).
   */
  public boolean hasOmap() {
    return omap;
  }

  /** The sections of the image as it is (the section header stream). */
  public List<PdbSection> sections() {
    return sections;
  }

  /** The sections symbols' segment numbers refer to: the original ones under OMAP, else {@link #sections()}. */
  public List<PdbSection> originalSections() {
    return originalSections;
  }

  public List<PdbModule> modules() {
    return modules;
  }

  public List<PdbSymbol> publics() {
    return publics;
  }

  public List<PdbSymbol> procedures() {
    return procedures;
  }

  /** Modules whose symbol streams were in a format older than CodeView C13 and were not read. */
  public int skippedModules() {
    return skippedModules;
  }
}
