package iptq.ingest;

import iptq.table.BatchSink;
import iptq.table.BlocksTable;
import iptq.table.BranchesTable;
import iptq.table.DecodeErrorsTable;
import iptq.table.FlowEventsTable;
import iptq.table.FunctionRunsTable;
import iptq.table.InstructionsTable;
import iptq.table.PacketsTable;
import iptq.table.TableWriter;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The per-segment tables one decoding thread fills. Each worker owns one set, so no locking is
 * needed until a full batch goes to the store.
 */
final class Tables implements AutoCloseable {
  final PacketsTable packets;
  final BranchesTable branches;
  final BlocksTable blocks;
  final InstructionsTable instructions;
  final FlowEventsTable flowEvents;
  final DecodeErrorsTable errors;
  final FunctionRunsTable functionRuns;
  /** Shared by all workers. */
  final Places places;
  private final BufferAllocator allocator;

  Tables(BufferAllocator parent, BatchSink sink, String name, Places places) {
    this.places = places;
    allocator = parent.newChildAllocator(name, 0, Long.MAX_VALUE);
    packets = new PacketsTable(allocator, sink);
    branches = new BranchesTable(allocator, sink);
    blocks = new BlocksTable(allocator, sink);
    instructions = new InstructionsTable(allocator, sink);
    flowEvents = new FlowEventsTable(allocator, sink);
    errors = new DecodeErrorsTable(allocator, sink);
    functionRuns = new FunctionRunsTable(allocator, sink);
  }

  private List<TableWriter> all() {
    return List.of(packets, branches, blocks, instructions, flowEvents, errors, functionRuns);
  }

  void flush() {
    for (TableWriter t : all()) t.flush();
  }

  @Override
  public void close() {
    for (TableWriter t : all()) t.close();
    allocator.close();
  }
}
