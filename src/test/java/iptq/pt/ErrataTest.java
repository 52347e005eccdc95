package iptq.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import iptq.testing.Libipt;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Errata} against libipt 2.2 itself: {@code src/test/c/errata_harness.c}, built against
 * the kit's library, prints pt_cpu_errata's answer for every family 0–0x20 and model 0–0xff;
 * iptq's table must give the same lines.
 */
class ErrataTest {
  @Test
  void sameAsLibipt22ForEveryProcessor() throws IOException {
    String want = Libipt.run(List.of(Libipt.kitHarness("errata_harness").toString()));
    StringBuilder got = new StringBuilder();
    for (int f = 0; f <= 0x20; f++) {
      for (int m = 0; m <= 0xff; m++) {
        Errata.Cpu cpu = new Errata.Cpu(f, m, 0);
        if (!Errata.known(cpu)) continue;
        got.append(Integer.toHexString(f)).append('/').append(Integer.toHexString(m));
        for (String n : Errata.of(cpu).names()) got.append(' ').append(n);
        got.append('\n');
      }
    }
    assertEquals(want, got.toString());
  }

  @Test
  void parsesAsLibiptsTools() {
    assertEquals(new Errata.Cpu(6, 94, 0), Errata.Cpu.parse("6/94"));
    assertEquals(new Errata.Cpu(6, 0x5e, 3), Errata.Cpu.parse("0x6/0x5e/3"));
    assertEquals(new Errata.Cpu(6, 8, 0), Errata.Cpu.parse("6/010"));
    for (String bad : List.of("6", "6/", "/94", "6/94/", "6/256", "65536/1", "a/b", "6/94/1/2", "-1/2")) {
      assertThrows(IllegalArgumentException.class, () -> Errata.Cpu.parse(bad), bad);
    }
    assertEquals(Errata.NONE, Errata.of(new Errata.Cpu(6, 1, 0)));
    assertEquals(List.of("bdm70", "skd007", "skd022", "skd010", "skl014", "skl168"), Errata.of(Errata.Cpu.parse("6/94")).names());
  }
}
