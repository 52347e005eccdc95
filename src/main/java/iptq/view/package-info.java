/**
 * Pictures read back out of an iptq database: exports to the trace viewers people already use
 * (Chrome trace JSON for Perfetto and chrome://tracing, speedscope's evented profiles, folded
 * stacks for flamegraph.pl and inferno) and {@code iptq view}, one self-contained HTML page.
 *
 * <p>All of them are drawn from one model: {@link iptq.view.FlowReader} streams the picked
 * segments' blocks and stack-moving branches from DuckDB, and {@link iptq.view.StackWalk} turns
 * each segment into properly nested {@link iptq.view.Frame}s on an instruction axis, with a
 * {@link iptq.view.Clock} that maps it to time where the segment has timing packets.
 */
package iptq.view;
