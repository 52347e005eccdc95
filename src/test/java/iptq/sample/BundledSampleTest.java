package iptq.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sample/data is exactly what {@code iptq sample} writes with the default seed: it cannot drift. */
class BundledSampleTest {
  @Test
  void bundledSampleRegeneratesByteForByte(@TempDir Path dir) throws IOException {
    SampleGenerator.Summary s = SampleGenerator.generate(Path.of("sample", "bin"), dir,
        new SampleGenerator.Options(SampleGenerator.Options.DEFAULT_SEED, SampleGenerator.Options.DEFAULT_EVENTS));
    Path data = Path.of("sample", "data");
    List<String> bundled;
    try (Stream<Path> l = Files.list(data)) {
      bundled = l.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(s.files().stream().map(p -> p.getFileName().toString()).sorted().toList(), bundled);
    long total = 0;
    for (Path f : s.files()) {
      Path b = data.resolve(f.getFileName());
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b), b + " differs: run iptq sample -o sample/data");
      total += Files.size(b);
    }
    assertTrue(total < 2 << 20, "bundled sample is " + total + " bytes");
  }
}
