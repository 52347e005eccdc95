package iptq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link Main#commandLine(String[])} builds only the command the arguments name: that command
 * must read, print and answer exactly as in the whole tree.
 */
class MainTest {
  @Test
  void aNamedCommandAloneHelpsAsInTheWholeTree() {
    CommandLine whole = Main.commandLine();
    for (String name : whole.getSubcommands().keySet()) {
      if (name.equals("help")) continue;
      CommandLine one = Main.commandLine(new String[] {name, "--help"});
      assertEquals(1, one.getSubcommands().size(), name);
      CommandLine sub = one.getSubcommands().get(name);
      assertNotNull(sub, name);
      assertEquals(HelpTest.help(whole.getSubcommands().get(name), 100), HelpTest.help(sub, 100), name);
    }
  }

  @Test
  void usageErrorsAndExitCodesAreTheSame() {
    String[][] cases = {
      {"insns", "--no-such-option", "x.pt"},
      {"insns", "--raw", "missing.bin:0x1000", "--pt", "missing.pt"},
      {"packets", "--lastp", "missing.pt"},
      {"packets"},
      {"report", "--help"},
    };
    for (String[] args : cases) {
      assertEquals(run(Main.commandLine(), args), run(Main.commandLine(args), args), String.join(" ", args));
    }
  }

  @Test
  void anythingElseGetsTheWholeTree() {
    for (String[] args : new String[][] {{}, {"--version"}, {"help", "insns"}, {"insn"}}) {
      assertEquals(Main.commandLine().getSubcommands().keySet(), Main.commandLine(args).getSubcommands().keySet());
    }
    CommandLine sql = Main.commandLine(new String[] {"sql"}).getSubcommands().get("sql");
    assertSame(true, sql.isUnmatchedOptionsArePositionalParams());
  }

  private static String run(CommandLine cl, String[] args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return rc + "\n" + out + "\n" + err;
  }
}
