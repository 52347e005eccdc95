package iptq.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The independent tools the image tests check against: llvm-readobj for PE facts, clang + lld-link
 * to build real PE files. Missing tools skip the test visibly, except in CI where they fail it.
 */
final class Tools {
  private Tools() {}

  static void require(String tool) {
    iptq.testing.Required.tool(tool);
  }

  static String run(Path dir, String... cmd) {
    require(cmd[0]);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (dir != null) pb.directory(dir.toFile());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
      return out;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Compiles C {@code source} and links it as a DLL named {@code name} with the given .def text. */
  static Path buildDll(Path dir, String name, String source, String def, long base) throws IOException {
    Path c = dir.resolve(name + ".c");
    Files.writeString(c, source);
    Path d = dir.resolve(name + ".def");
    Files.writeString(d, def);
    run(dir, "clang", "--target=x86_64-pc-windows-msvc", "-O1", "-c", c.toString(), "-o", name + ".obj");
    Path out = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("lld-link", "/dll", "/noentry", "/nodefaultlib",
        "/def:" + d, "/out:" + out, "/base:0x" + Long.toHexString(base), name + ".obj"));
    run(dir, cmd.toArray(new String[0]));
    return out;
  }
}
