package iptq.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iptq.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed seeds are what {@link SeedCorpus} makes, so they can be made again. */
class SeedCorpusTest {
  @Test
  void theCommittedSeedsAreTheGeneratedOnes() throws Exception {
    for (var t : SeedCorpus.generate().entrySet()) {
      Path d = SeedCorpus.dir(Fixtures.projectDir(), t.getKey());
      for (var s : t.getValue().entrySet()) {
        Path f = d.resolve(s.getKey());
        assertTrue(Files.isRegularFile(f), f + " is missing: run SeedCorpus.main (docs/bad-input.md)");
        assertArrayEquals(s.getValue(), Files.readAllBytes(f), f.toString());
      }
    }
  }
}
