package iptq.ingest;

import iptq.symbols.SymbolMap;
import iptq.table.PlacesTable;
import iptq.table.TableWriter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code places} of one ingest: an id for every code address a block or branch names, in
 * one symbol map (one process's view of the modules), shared by all workers so that an address
 * has one id whichever worker met it first. Its row, with the module and function, is written
 * once; block and branch rows carry the id. Asked only when a worker's {@link Namer} cache
 * misses, so the lock is rarely taken.
 */
final class Places implements AutoCloseable {
  private record Key(SymbolMap map, long address) {}

  private final ConcurrentHashMap<Key, Integer> ids = new ConcurrentHashMap<>();
  private final PlacesTable table;
  private int next;

  Places(PlacesTable table) {
    this.table = table;
  }

  /** The id of {@code address} in {@code map}, named {@code name}, writing its row the first time. */
  int id(SymbolMap map, long address, Namer.Name name) {
    Integer id = ids.get(new Key(map, address));
    if (id != null) return id;
    synchronized (this) {
      return ids.computeIfAbsent(new Key(map, address), k -> {
        int n = next++;
        table.add(n, address, name.module(), name.function(),
            name.function() == null ? TableWriter.NULL : name.offset(), name.functionWithOffset());
        return n;
      });
    }
  }

  /** Places named so far. */
  int size() {
    return ids.size();
  }

  @Override
  public synchronized void close() {
    table.close();
  }
}
