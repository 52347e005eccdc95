package iptq.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sample's C sources compiled natively with gcc (Linux x86-64) as an oracle for the
 * interpreter: the same code, with the SYSCALL stub replaced by a direct call of the driver's
 * service routine. It runs SampMain once per "process" (the DLL's state reset, the driver's kept,
 * as in the sample session) and prints each run's exit code.
 */
final class NativeSample {
  private NativeSample() {}

  static List<Integer> exitCodes(int runs) throws IOException, InterruptedException {
    Path src = Path.of("sample", "src");
    Path dir = Path.of("target", "c", "sample-native");
    Files.createDirectories(dir);
    String lib = Files.readString(src.resolve("user/samplib.c"), StandardCharsets.UTF_8);
    int a = lib.indexOf("__attribute__((naked))");
    int b = lib.indexOf("}", lib.indexOf("retq", a)) + 1;
    if (a < 0 || b <= 0) throw new IllegalStateException("samplib.c: SampSyscall stub not found");
    lib = lib.substring(0, a)
        + "i64 SampSystemService(u32 number, struct SampRequest *r, u64 extra);\n"
        + "i64 SampSyscall(u32 number, struct SampRequest *r, u64 extra) {"
        + " return SampSystemService(number, r, extra); }"
        + lib.substring(b)
        + "\nvoid SampLibReset(void) { for (int i = 0; i < CACHE_SLOTS; i++) SlCache[i].used = SlCache[i].key = SlCache[i].value = 0;"
        + " SlHits = SlMisses = 0; }\n";
    lib = lib.replace("#include \"../include/", "#include \"" + src.toAbsolutePath().resolve("include") + "/");
    Files.writeString(dir.resolve("samplib.c"), lib);
    String drv = Files.readString(src.resolve("kern/sampdrv.c"));
    int n = drv.indexOf("__attribute__((naked))");
    int e = drv.indexOf("}", drv.indexOf("sysretq", n)) + 1;
    drv = drv.substring(0, n) + drv.substring(e);
    drv = drv.replace("#include \"../include/", "#include \"" + src.toAbsolutePath().resolve("include") + "/");
    Files.writeString(dir.resolve("sampdrv.c"), drv);
    Files.writeString(dir.resolve("main.c"), "#include <stdio.h>\n#include <stdlib.h>\nint SampMain(void); void SampLibReset(void);\n"
        + "int main(int argc, char **argv) { int n = atoi(argv[1]);"
        + " for (int i = 0; i < n; i++) { SampLibReset(); printf(\"%d\\n\", SampMain()); } return 0; }\n");
    Path exe = dir.resolve("sample-native");
    List<String> cc = new ArrayList<>(List.of("gcc", "-O1", "-w", "-fno-builtin", "-D__declspec(x)=", "-o", exe.toString()));
    int k = 0;
    for (Path c : List.of(src.resolve("kern/ntstub.c"), dir.resolve("sampdrv.c"), dir.resolve("samplib.c"), src.resolve("user/sampapp.c"))) {
      Path o = dir.resolve("u" + k++ + ".o");
      run(List.of("gcc", "-O1", "-w", "-fno-builtin", "-D__declspec(x)=", "-Dmemset=m" + k + "_memset",
          "-Dmemcpy=m" + k + "_memcpy", "-c", "-o", o.toString(), c.toString()));
      cc.add(o.toString());
    }
    cc.add(dir.resolve("main.c").toString());
    run(cc);
    String out = run(List.of(exe.toString(), Integer.toString(runs)));
    List<Integer> codes = new ArrayList<>();
    for (String line : out.split("\n")) if (!line.isBlank()) codes.add(Integer.parseInt(line.trim()));
    return codes;
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    if (!cmd.get(0).contains("/")) iptq.testing.Required.tool(cmd.get(0));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
    return out;
  }
}
