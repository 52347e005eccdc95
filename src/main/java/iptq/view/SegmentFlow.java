package iptq.view;

import java.util.List;

/**
 * One segment ready to draw: its row, its frames (parents before children, by start), the
 * instructions walked, its clock (null without timing packets) and its decode errors.
 */
public record SegmentFlow(SegmentInfo info, List<Frame> frames, long instructions, Clock clock,
    List<DecodeErrorMark> errors) {

  public boolean timed() {
    return clock != null;
  }
}
