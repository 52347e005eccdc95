package iptq.image;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A PE file (.exe, .dll, .sys) as Windows maps it: headers, sections, exports, imports, base
 * relocations, the CodeView debug record and the load configuration with its Dynamic Value
 * Relocation Table. Every RVA, size and count is checked against the file before use.
 */
public final class PeFile implements Closeable {
  /** Largest SizeOfImage we map: larger than any real module, small enough to allocate. */
  public static final long MAX_IMAGE_SIZE = 512L << 20;

  public static final int DIR_EXPORT = 0, DIR_IMPORT = 1, DIR_EXCEPTION = 3, DIR_BASERELOC = 5,
      DIR_DEBUG = 6, DIR_LOAD_CONFIG = 10, DIR_IAT = 12;

  public record Section(String name, long virtualAddress, long virtualSize, long pointerToRawData,
      long sizeOfRawData, long characteristics) {
    public boolean executable() {
      return (characteristics & 0x20000000L) != 0 || (characteristics & 0x20) != 0;
    }
  }

  /** An export; {@code name} is null for exports by ordinal only, {@code forwarder} non-null for forwarders. */
  public record Export(String name, int ordinal, long rva, String forwarder) {}

  /** One IAT slot: {@code function} is null when imported by ordinal. */
  public record Import(String dll, String function, int ordinal, long iatRva) {
    /** The function's name, or {@code #ordinal}. */
    public String key() {
      return function != null ? function : "#" + ordinal;
    }
  }

  /** A base relocation: {@code type} 10 DIR64, 3 HIGHLOW, 1 HIGH, 2 LOW. */
  public record Relocation(long rva, int type) {}

  private final BinFile file;
  private final int machine;
  private final long timeDateStamp;
  private final int characteristics;
  private final boolean pe32Plus;
  private final long imageBase;
  private final long entryPoint;
  private final long sizeOfImage;
  private final long sizeOfHeaders;
  private final long checkSum;
  private final long checkSumOffset;
  private final int subsystem;
  private final int dllCharacteristics;
  private final long[] dirRva = new long[16];
  private final long[] dirSize = new long[16];
  private final List<Section> sections;
  /** Where each data directory entry is in the file (the offset its errors name). */
  private final long[] dirAt = new long[16];
  private List<Export> exports;
  private List<Import> imports;
  private List<Relocation> relocations;
  private CodeViewRecord codeView;
  private boolean codeViewDone;
  private Dvrt dvrt;
  private boolean dvrtDone;

  private PeFile(BinFile f) {
    this.file = f;
    if (f.size() < 64 || f.u16(0, "DOS signature") != 0x5A4D) throw f.error(0, "not a PE file (no MZ signature)");
    long pe = f.u32(0x3C, "e_lfanew");
    if (pe > f.size() || f.u32(pe, "PE signature") != 0x4550) throw f.error(0x3C, "not a PE file (no PE signature at 0x" + Long.toHexString(pe) + ")");
    long fh = pe + 4;
    machine = f.u16(fh, "Machine");
    int nSections = f.u16(fh + 2, "NumberOfSections");
    timeDateStamp = f.u32(fh + 4, "TimeDateStamp");
    int optSize = f.u16(fh + 16, "SizeOfOptionalHeader");
    characteristics = f.u16(fh + 18, "Characteristics");
    long opt = fh + 20;
    f.check(opt, optSize, "optional header");
    int magic = f.u16(opt, "optional header magic");
    if (magic != 0x10B && magic != 0x20B) throw f.error(opt, "optional header magic 0x" + Integer.toHexString(magic) + " is neither PE32 nor PE32+");
    pe32Plus = magic == 0x20B;
    if (optSize < (pe32Plus ? 112 : 96)) throw f.error(fh + 16, "optional header of " + optSize + " bytes is too short");
    entryPoint = f.u32(opt + 16, "AddressOfEntryPoint");
    imageBase = pe32Plus ? f.u64(opt + 24, "ImageBase") : f.u32(opt + 28, "ImageBase");
    sizeOfImage = f.u32(opt + 56, "SizeOfImage");
    sizeOfHeaders = f.u32(opt + 60, "SizeOfHeaders");
    checkSumOffset = opt + 64;
    checkSum = f.u32(opt + 64, "CheckSum");
    subsystem = f.u16(opt + 68, "Subsystem");
    dllCharacteristics = f.u16(opt + 70, "DllCharacteristics");
    long nDirs = f.u32(opt + (pe32Plus ? 108 : 92), "NumberOfRvaAndSizes");
    long dirs = opt + (pe32Plus ? 112 : 96);
    nDirs = Math.min(Math.min(nDirs, 16), Math.max(0, (opt + optSize - dirs) / 8));
    for (int i = 0; i < nDirs; i++) {
      dirAt[i] = dirs + 8L * i;
      dirRva[i] = f.u32(dirs + 8L * i, "data directory RVA");
      dirSize[i] = f.u32(dirs + 8L * i + 4, "data directory size");
    }
    if (sizeOfImage > MAX_IMAGE_SIZE) throw f.error(opt + 56, "SizeOfImage 0x" + Long.toHexString(sizeOfImage) + " is larger than any module (limit 512 MiB)");
    long sh = opt + optSize;
    f.check(sh, 40L * nSections, nSections + " section headers");
    List<Section> s = new ArrayList<>();
    for (int i = 0; i < nSections; i++) {
      long at = sh + 40L * i;
      byte[] nb = f.bytes(at, 8, "section name");
      int len = 0;
      while (len < 8 && nb[len] != 0) len++;
      String name = new String(nb, 0, len, java.nio.charset.StandardCharsets.UTF_8);
      Section sec = new Section(name, f.u32(at + 12, "VirtualAddress"), f.u32(at + 8, "VirtualSize"),
          f.u32(at + 20, "PointerToRawData"), f.u32(at + 16, "SizeOfRawData"), f.u32(at + 36, "Characteristics"));
      long mapped = sec.virtualSize() != 0 ? sec.virtualSize() : sec.sizeOfRawData();
      if (sec.virtualAddress() + mapped > sizeOfImage) {
        throw f.error(at, "section " + name + " at RVA 0x" + Long.toHexString(sec.virtualAddress()) + " lies past SizeOfImage 0x" + Long.toHexString(sizeOfImage));
      }
      s.add(sec);
    }
    sections = Collections.unmodifiableList(s);
  }

  public static PeFile open(Path path) {
    BinFile f = BinFile.open(path);
    try {
      return new PeFile(f);
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  public static PeFile of(Path name, byte[] data) {
    return new PeFile(BinFile.of(name, data));
  }

  /** As {@link #offsetOf(long, long, String, long)}, for an RVA not read from the file (errors name offset 0). */
  public long offsetOf(long rva, long len, String what) {
    return offsetOf(rva, len, what, 0);
  }

  /**
   * The file offset of {@code len} bytes at {@code rva}, checked to lie in one section's file
   * data; {@code at} is where in the file the RVA was read, the offset an error names.
   */
  public long offsetOf(long rva, long len, String what, long at) {
    if (rva < 0 || len < 0) throw file.error(at, what + ": bad RVA 0x" + Long.toHexString(rva));
    if (rva + len <= sizeOfHeaders && rva + len <= file.size()) return rva;
    for (Section s : sections) {
      long raw = Math.min(s.sizeOfRawData(), s.virtualSize() == 0 ? s.sizeOfRawData() : Math.max(s.virtualSize(), s.sizeOfRawData()));
      if (rva >= s.virtualAddress() && rva + len <= s.virtualAddress() + raw) {
        long off = s.pointerToRawData() + rva - s.virtualAddress();
        file.check(off, len, what + " in section " + s.name());
        return off;
      }
    }
    throw file.error(at, what + " at RVA 0x" + Long.toHexString(rva) + " (" + len + " bytes) is not in the file's sections");
  }

  public Section sectionAt(long rva) {
    for (Section s : sections) {
      if (rva >= s.virtualAddress() && rva < s.virtualAddress() + Math.max(s.virtualSize(), s.sizeOfRawData())) return s;
    }
    return null;
  }

  /** The image as the loader lays it out at its preferred base: headers, then each section. */
  public byte[] mapImage() {
    byte[] img = new byte[(int) sizeOfImage];
    long hdr = Math.min(Math.min(sizeOfHeaders, file.size()), sizeOfImage);
    file.read(0, img, 0, (int) hdr);
    for (Section s : sections) {
      long n = s.sizeOfRawData();
      if (s.virtualSize() != 0) n = Math.min(n, s.virtualSize());
      n = Math.min(n, sizeOfImage - s.virtualAddress());
      if (n <= 0) continue;
      file.check(s.pointerToRawData(), n, "raw data of section " + s.name());
      file.read(s.pointerToRawData(), img, (int) s.virtualAddress(), (int) n);
    }
    return img;
  }

  public List<Export> exports() {
    if (exports == null) exports = parseExports();
    return exports;
  }

  private List<Export> parseExports() {
    long rva = dirRva[DIR_EXPORT], size = dirSize[DIR_EXPORT];
    if (rva == 0 || size == 0) return List.of();
    long d = offsetOf(rva, 40, "export directory", dirAt[DIR_EXPORT]);
    long base = file.u32(d + 16, "export ordinal Base");
    long nFuncs = file.u32(d + 20, "NumberOfFunctions");
    long nNames = file.u32(d + 24, "NumberOfNames");
    long funcs = file.u32(d + 28, "AddressOfFunctions");
    long names = file.u32(d + 32, "AddressOfNames");
    long ords = file.u32(d + 36, "AddressOfNameOrdinals");
    long fOff = offsetOf(funcs, nFuncs * 4, "export address table of " + nFuncs + " entries", d + 28);
    long nOff = nNames == 0 ? 0 : offsetOf(names, nNames * 4, "export name table of " + nNames + " entries", d + 32);
    long oOff = nNames == 0 ? 0 : offsetOf(ords, nNames * 2, "export ordinal table", d + 36);
    String[] nameOf = new String[(int) nFuncs];
    for (long i = 0; i < nNames; i++) {
      int idx = file.u16(oOff + 2 * i, "name ordinal");
      if (idx >= nFuncs) throw file.error(oOff + 2 * i, "export name ordinal " + idx + " is not below NumberOfFunctions " + nFuncs);
      long nameRva = file.u32(nOff + 4 * i, "export name RVA");
      nameOf[idx] = file.cstring(offsetOf(nameRva, 1, "export name", nOff + 4 * i), 4096, "export name");
    }
    List<Export> out = new ArrayList<>();
    for (int i = 0; i < nFuncs; i++) {
      long f = file.u32(fOff + 4L * i, "export RVA");
      if (f == 0) continue;
      String fwd = null;
      if (f >= rva && f < rva + size) fwd = file.cstring(offsetOf(f, 1, "forwarder", fOff + 4L * i), 4096, "forwarder");
      out.add(new Export(nameOf[i], (int) (base + i), f, fwd));
    }
    return Collections.unmodifiableList(out);
  }

  /** The imports, one per IAT slot. */
  public List<Import> imports() {
    if (imports == null) imports = parseImports();
    return imports;
  }

  private List<Import> parseImports() {
    long rva = dirRva[DIR_IMPORT];
    if (rva == 0 || dirSize[DIR_IMPORT] == 0) return List.of();
    List<Import> out = new ArrayList<>();
    int thunk = pe32Plus ? 8 : 4;
    long maxEntries = file.size() / 4; // no file can describe more slots than it has bytes
    for (long d = rva; ; d += 20) {
      long off = offsetOf(d, 20, "import descriptor", dirAt[DIR_IMPORT]);
      long ilt = file.u32(off, "OriginalFirstThunk");
      long nameRva = file.u32(off + 12, "import DLL name RVA");
      long iat = file.u32(off + 16, "FirstThunk");
      if (ilt == 0 && nameRva == 0 && iat == 0) break;
      String dll = file.cstring(offsetOf(nameRva, 1, "import DLL name", off + 12), 512, "import DLL name");
      long lookup = ilt != 0 ? ilt : iat;
      for (long i = 0; ; i++) {
        if (out.size() > maxEntries) throw file.error(off, "import table does not end");
        long t = offsetOf(lookup + i * thunk, thunk, "import thunk of " + dll, off + (ilt != 0 ? 0 : 16));
        long v = pe32Plus ? file.u64(t, "import thunk") : file.u32(t, "import thunk");
        if (v == 0) break;
        boolean byOrdinal = pe32Plus ? v < 0 : (v & 0x80000000L) != 0;
        if (byOrdinal) {
          out.add(new Import(dll, null, (int) (v & 0xFFFF), iat + i * thunk));
        } else {
          long h = offsetOf(v & 0x7FFFFFFFL, 3, "import hint/name", t);
          out.add(new Import(dll, file.cstring(h + 2, 4096, "import name"), file.u16(h, "hint"), iat + i * thunk));
        }
      }
      if (d - rva > file.size()) throw file.error(off, "import directory does not end");
    }
    return Collections.unmodifiableList(out);
  }

  /** The import whose IAT slot is at {@code rva}, or null. */
  public Import importAtSlot(long rva) {
    for (Import i : imports()) if (i.iatRva() == rva) return i;
    return null;
  }

  public List<Relocation> relocations() {
    if (relocations == null) relocations = parseRelocations();
    return relocations;
  }

  private List<Relocation> parseRelocations() {
    long rva = dirRva[DIR_BASERELOC], size = dirSize[DIR_BASERELOC];
    if (rva == 0 || size == 0) return List.of();
    long start = offsetOf(rva, size, "base relocation directory", dirAt[DIR_BASERELOC]);
    List<Relocation> out = new ArrayList<>();
    PageBlocks.walk(file, start, start + size, "relocation", "the directory", (page, p, end) -> {
      for (long q = p; q + 2 <= end; q += 2) {
        int e = file.u16(q, "relocation entry");
        int type = e >>> 12;
        if (type == 0) continue; // IMAGE_REL_BASED_ABSOLUTE: padding
        out.add(new Relocation(page + (e & 0xFFF), type));
      }
    });
    return Collections.unmodifiableList(out);
  }

  /** The CodeView RSDS record from the debug directory, or null. */
  public CodeViewRecord codeView() {
    if (!codeViewDone) {
      codeViewDone = true;
      long rva = dirRva[DIR_DEBUG], size = dirSize[DIR_DEBUG];
      if (rva != 0 && size >= 28) {
        long d = offsetOf(rva, size - size % 28, "debug directory", dirAt[DIR_DEBUG]);
        for (long i = 0; i < size / 28; i++) {
          long e = d + 28 * i;
          if (file.u32(e + 12, "debug Type") != 2) continue;
          long dataSize = file.u32(e + 16, "debug SizeOfData");
          long ptr = file.u32(e + 24, "debug PointerToRawData");
          file.check(ptr, dataSize, "CodeView debug data");
          codeView = CodeViewRecord.parse(file, ptr, dataSize);
          if (codeView != null) break;
        }
      }
    }
    return codeView;
  }

  /** The Dynamic Value Relocation Table, or null when the image has none. */
  public Dvrt dvrt() {
    if (!dvrtDone) {
      dvrtDone = true;
      dvrt = Dvrt.parse(this);
    }
    return dvrt;
  }

  /** The file offset of the DVRT from the load config, or -1 when there is none. */
  long dvrtOffset() {
    long rva = dirRva[DIR_LOAD_CONFIG];
    if (!pe32Plus || rva == 0 || dirSize[DIR_LOAD_CONFIG] < 4) return -1;
    long lc = offsetOf(rva, 4, "load config", dirAt[DIR_LOAD_CONFIG]);
    long lcSize = file.u32(lc, "load config Size");
    if (lcSize < 0xE6) return -1;
    offsetOf(rva, 0xE6, "load config", dirAt[DIR_LOAD_CONFIG]);
    long off = file.u32(lc + 0xE0, "DynamicValueRelocTableOffset");
    int sec = file.u16(lc + 0xE4, "DynamicValueRelocTableSection");
    if (sec == 0) return -1;
    if (sec > sections.size()) throw file.error(lc + 0xE4, "DVRT section " + sec + " does not exist (" + sections.size() + " sections)");
    Section s = sections.get(sec - 1);
    if (off > s.sizeOfRawData()) throw file.error(lc + 0xE0, "DVRT offset 0x" + Long.toHexString(off) + " lies outside section " + s.name());
    return s.pointerToRawData() + off;
  }

  /** The PE checksum as Windows computes it (CheckSumMappedFile), for comparing with {@link #checkSum()}. */
  public long computeCheckSum() {
    long sum = 0;
    long n = file.size();
    for (long i = 0; i < n; i += 2) {
      if (i == checkSumOffset || i == checkSumOffset + 2) continue;
      int w = i + 1 < n ? file.u16(i, "word") : file.u8(i, "byte");
      sum += w;
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    sum = (sum & 0xFFFF) + (sum >>> 16);
    return (sum & 0xFFFF) + n;
  }

  public BinFile file() {
    return file;
  }

  public Path path() {
    return file.path();
  }

  public int machine() {
    return machine;
  }

  public long timeDateStamp() {
    return timeDateStamp;
  }

  public int characteristics() {
    return characteristics;
  }

  public boolean isPe32Plus() {
    return pe32Plus;
  }

  public long imageBase() {
    return imageBase;
  }

  public long entryPoint() {
    return entryPoint;
  }

  public long sizeOfImage() {
    return sizeOfImage;
  }

  public long sizeOfHeaders() {
    return sizeOfHeaders;
  }

  public long checkSum() {
    return checkSum;
  }

  public int subsystem() {
    return subsystem;
  }

  public int dllCharacteristics() {
    return dllCharacteristics;
  }

  public long directoryRva(int i) {
    return dirRva[i];
  }

  public long directorySize(int i) {
    return dirSize[i];
  }

  public List<Section> sections() {
    return sections;
  }

  /** Exports by upper-case name and by {@code #ordinal}, for resolving imports. */
  public Map<String, Export> exportIndex() {
    Map<String, Export> m = new HashMap<>();
    for (Export e : exports()) {
      if (e.name() != null) m.put(e.name().toUpperCase(Locale.ROOT), e);
      m.put("#" + e.ordinal(), e);
    }
    return m;
  }

  @Override
  public void close() {
    file.close();
  }
}
