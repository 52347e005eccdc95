package iptq.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds real Windows x64 PE files and their PDBs from C sources with clang and lld-link (Debian
 * {@code clang}, {@code lld}): each source compiled with {@code --target=x86_64-pc-windows-msvc
 * -g -gcodeview}, linked with {@code /debug /pdb /map} into {@code target/clangpe/NAME/}. The
 * linker map is independent ground truth for where each function landed. Where the tools are
 * missing the test is skipped visibly; in CI ({@code CI=true}) it fails instead.
 *
 * <pre>
 * ClangPe.Built dll = ClangPe.dll("demo").source("src/test/c/pe/demo.c").entry("DllMain").build();
 * </pre>
 */
public final class ClangPe {
  public enum Kind { DLL, EXE, DRIVER }

  /** What a build produced: the image, its PDB, the linker map, and the object files. */
  public record Built(Path image, Path pdb, Path map, Path dir, List<Path> objects) {}

  private final String name;
  private final Kind kind;
  private final List<Path> sources = new ArrayList<>();
  private final List<String> cflags = new ArrayList<>(List.of("-O1"));
  private final List<String> linkFlags = new ArrayList<>();
  private String entry;
  private Long base;

  private ClangPe(String name, Kind kind) {
    this.name = name;
    this.kind = kind;
  }

  public static ClangPe dll(String name) {
    return new ClangPe(name, Kind.DLL);
  }

  public static ClangPe exe(String name) {
    return new ClangPe(name, Kind.EXE);
  }

  /** A kernel-mode driver image ({@code /driver /subsystem:native}, a {@code .sys}). */
  public static ClangPe driver(String name) {
    return new ClangPe(name, Kind.DRIVER);
  }

  /** A C source, relative to the project directory or absolute. */
  public ClangPe source(String path) {
    Path p = Path.of(path);
    sources.add(p.isAbsolute() ? p : Fixtures.projectDir().resolve(p));
    return this;
  }

  /** Replaces the default {@code -O1} and adds compiler flags. */
  public ClangPe cflags(String... flags) {
    cflags.clear();
    cflags.addAll(List.of(flags));
    return this;
  }

  public ClangPe linkFlags(String... flags) {
    linkFlags.addAll(List.of(flags));
    return this;
  }

  public ClangPe entry(String symbol) {
    entry = symbol;
    return this;
  }

  public ClangPe base(long address) {
    base = address;
    return this;
  }

  /** Skips (or in CI fails) the calling test unless all of {@code tools} are on the PATH. */
  public static void require(String... tools) {
    for (String t : tools) Required.tool(t);
  }

  /** Compiles and links (again only when a source is newer than the image) and returns the paths. */
  public synchronized Built build() {
    require("clang", "lld-link");
    if (sources.isEmpty()) throw new IllegalStateException("no sources for " + name);
    Path dir = Fixtures.projectDir().resolve("target/clangpe/" + name);
    String ext = switch (kind) {
      case DLL -> ".dll";
      case EXE -> ".exe";
      case DRIVER -> ".sys";
    };
    Path image = dir.resolve(name + ext), pdb = dir.resolve(name + ".pdb"), map = dir.resolve(name + ".map");
    List<Path> objects = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      boolean stale = !Files.exists(image) || !Files.exists(pdb) || !Files.exists(map);
      FileTime built = stale ? null : Files.getLastModifiedTime(image);
      for (Path src : sources) {
        String base = src.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path obj = dir.resolve(base + ".obj");
        objects.add(obj);
        if (!stale && Files.getLastModifiedTime(src).compareTo(built) > 0) stale = true;
      }
      if (!stale) return new Built(image, pdb, map, dir, objects);
      for (int i = 0; i < sources.size(); i++) {
        List<String> cc = new ArrayList<>(List.of("clang", "--target=x86_64-pc-windows-msvc", "-c", "-g", "-gcodeview"));
        if (kind == Kind.DRIVER) cc.addAll(List.of("-mno-red-zone", "-fno-stack-protector"));
        cc.addAll(cflags);
        cc.addAll(List.of(sources.get(i).toString(), "-o", objects.get(i).toString()));
        Libipt.run(cc);
      }
      List<String> ld = new ArrayList<>(List.of("lld-link", "/nologo", "/nodefaultlib", "/debug",
          "/pdb:" + pdb, "/map:" + map, "/out:" + image));
      switch (kind) {
        case DLL -> ld.add("/dll");
        case EXE -> ld.add("/subsystem:console");
        case DRIVER -> ld.addAll(List.of("/driver", "/subsystem:native"));
      }
      if (entry != null) ld.add("/entry:" + entry);
      else if (kind == Kind.DLL) ld.add("/noentry");
      if (base != null) ld.add("/base:0x" + Long.toHexString(base));
      ld.addAll(linkFlags);
      for (Path o : objects) ld.add(o.toString());
      Libipt.run(ld);
      return new Built(image, pdb, map, dir, objects);
    } catch (IOException e) {
      throw new AssertionError("cannot build " + name + ": " + e, e);
    }
  }
}
