package iptq.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack walk's three rules on small hand-made executions, each with its frames spelled out. */
class StackWalkTest {
  @Test
  void callsNestAndReturnsClose() {
    StackWalk w = new StackWalk();
    w.block(3, "main", "a.exe", 100L);
    w.push("f", "a.exe");
    w.block(5, "f", "a.exe", 100L);
    w.push("g", "a.exe");
    w.block(2, "g", "a.exe", 200L);
    w.pop("f", "a.exe");
    w.block(1, "f", "a.exe", 200L);
    w.pop("main", "a.exe");
    w.block(4, "main", "a.exe", 300L);
    StackWalk.Walked got = w.finish();
    assertEquals(List.of(
        new Frame("main", "a.exe", 0, 0, 15),
        new Frame("f", "a.exe", 1, 3, 11),
        new Frame("g", "a.exe", 2, 8, 10)), got.frames());
    assertEquals(15, got.instructions());
    // Time moved at instructions 8 (to 200) and 11 (to 300): 100 ns over 3 instructions.
    assertEquals(100.0, got.clock().at(0), 1e-9);
    assertEquals(200.0, got.clock().at(8), 1e-9);
    assertEquals(200.0 + 100.0 / 3, got.clock().at(9), 1e-9);
    assertEquals(300.0 + 4 * 200.0 / 11, got.clock().at(15), 1e-9); // past the last: the mean rate
  }

  @Test
  void aReturnBelowTheFirstFrameFindsTheCallerRunningSinceTheStart() {
    StackWalk w = new StackWalk();
    w.block(2, "leaf", "k.sys", 0L);
    w.pop("mid", "k.sys");
    w.block(3, "mid", "k.sys", 0L);
    w.pop("top", "k.sys");
    w.block(1, "top", "k.sys", 0L);
    StackWalk.Walked got = w.finish();
    assertEquals(List.of(
        new Frame("top", "k.sys", 0, 0, 6),
        new Frame("mid", "k.sys", 1, 0, 5),
        new Frame("leaf", "k.sys", 2, 0, 2)), got.frames());
    assertEquals(null, got.clock(), "one time estimate: no clock");
  }

  @Test
  void aJumpIntoAnotherFunctionIsASiblingFrame() {
    StackWalk w = new StackWalk();
    w.block(1, "main", "a.exe", null);
    w.push("f", "a.exe");
    w.block(2, "f", "a.exe", null);
    w.block(4, "tail", "a.exe", null); // f jumped to tail, which returns for it
    w.pop("main", "a.exe");
    w.push("unnamed", "b.dll"); // a call into code with no blocks names its frame by the target
    w.pop("main", "a.exe");
    w.block(1, "main", "a.exe", null);
    assertEquals(List.of(
        new Frame("main", "a.exe", 0, 0, 8),
        new Frame("f", "a.exe", 1, 1, 3),
        new Frame("tail", "a.exe", 1, 3, 7),
        new Frame("unnamed", "b.dll", 1, 7, 7)), w.finish().frames());
  }
}
