package iptq.store;

import iptq.InputException;
import iptq.cli.VersionProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.duckdb.DuckDBConnection;

/**
 * An iptq database: a DuckDB file with the schema of {@code schema/}. A new database is written
 * to a temporary file beside the target and renamed into place only by {@link #commit()}, so a
 * failed ingest never leaves a half-written database behind.
 */
public final class Store implements AutoCloseable {
  /** Bumped whenever a table or column changes meaning; a database of another version is refused. */
  public static final int SCHEMA_VERSION = 3;

  private static final String DB_FILE = "iptq.duckdb";
  /** DuckDB's temp_directory, inside the temporary folder. */
  static final String SPILL = "spill";

  private final Path target;
  private final Path tempDir;
  private final Path temp;
  private final DuckDBConnection conn;
  private volatile boolean done;
  private final java.util.concurrent.atomic.AtomicLong streams = new java.util.concurrent.atomic.AtomicLong();
  // One connection per loading thread (BatchLoader's, one per table): DuckDB appends from
  // several connections never conflict, so the tables' batches go in side by side.
  private final java.util.Map<Thread, DuckDBConnection> loaders = new java.util.concurrent.ConcurrentHashMap<>();
  // Ctrl-C or a kill during an ingest must not leave the temporary database behind either.
  private final Thread cleanup;
  private final TargetLock lock;
  private final boolean force;
  private final Runnable onStop;
  private volatile boolean committed;

  private Store(Path target, Path tempDir, DuckDBConnection conn, Thread cleanup, TargetLock lock,
      boolean force, Runnable onStop) {
    this.target = target;
    this.tempDir = tempDir;
    this.temp = tempDir.resolve(DB_FILE);
    this.conn = conn;
    this.cleanup = cleanup;
    this.lock = lock;
    this.force = force;
    this.onStop = onStop;
  }

  /** Creates a new database that will become {@code target} on {@link #commit()}. */
  public static Store create(Path target, boolean force) throws IOException, SQLException {
    target = target.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) throw new InputException(target, -1, "is a directory, not a database file");
    if (Files.exists(target) && !force) {
      throw new InputException(target, -1, "already exists (use --force to overwrite)");
    }
    Path dir = target.getParent();
    Files.createDirectories(dir);
    NativeLibraries.load();
    TargetLock lock = TargetLock.take(target);
    try {
      // Checked again under the lock: another ingest may have finished it meanwhile.
      if (Files.exists(target) && !force) {
        throw new InputException(target, -1, "already exists (use --force to overwrite)");
      }
      TargetLock.removeStaleTemps(dir);
      return create(target, force, dir, lock);
    } catch (IOException | SQLException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static Store create(Path target, boolean force, Path dir, TargetLock lock) throws IOException, SQLException {
    // The database grows in a folder of its own beside the target: deleting the folder removes
    // every file DuckDB made, and DuckDB cannot create them again once the folder is gone.
    Path tempDir = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    deleteTree(tempDir);
    // The hook is in place before the folder exists, so a kill at any moment is cleaned up.
    var made = new java.util.concurrent.atomic.AtomicReference<Store>();
    Thread cleanup = new Thread(() -> {
      Store s = made.get();
      if (s != null) s.abort();
      else deleteTreeRetrying(tempDir);
      lock.close();
    }, "iptq-store-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    // Ctrl-C and SIGTERM end the process without the hooks (see Stops): the same cleanup, at once.
    Runnable onStop = () -> {
      Store s = made.get();
      if (s != null) s.stopped();
      else deleteTreeQuietly(tempDir);
      lock.close();
    };
    Stops.add(onStop);
    DuckDBConnection conn;
    try {
      Files.createDirectories(tempDir);
      conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + tempDir.resolve(DB_FILE));
      // DuckDB spills to its temp_directory when a query needs more than memory_limit (by default
      // 80% of the machine's memory): inside the temporary folder, so it goes with it.
      try (Statement st = conn.createStatement()) {
        st.execute("SET temp_directory = '" + tempDir.resolve(SPILL).toString().replace("'", "''") + "'");
        // DuckDB's share of the ingest's memory, instead of its default of 80% of the machine's
        for (String set : SqlScript.statements(MemoryBudget.of().sql())) st.execute(set);
      }
    } catch (IOException | SQLException | RuntimeException e) {
      deleteTreeRetrying(tempDir);
      Runtime.getRuntime().removeShutdownHook(cleanup);
      Stops.remove(onStop);
      throw e;
    }
    Store store = new Store(target, tempDir, conn, cleanup, lock, force, onStop);
    made.set(store);
    try (Statement st = conn.createStatement()) {
      st.execute(SqlResource.schema());
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO meta VALUES (?, ?)")) {
        String[][] rows = {
          {"iptq_version", VersionProvider.version()},
          {"schema_version", Integer.toString(SCHEMA_VERSION)},
          {"created_at", Instant.now().toString()},
        };
        for (String[] r : rows) {
          ps.setString(1, r[0]);
          ps.setString(2, r[1]);
          ps.executeUpdate();
        }
      }
    } catch (SQLException | RuntimeException e) {
      store.abort();
      throw e;
    }
    return store;
  }

  public Connection connection() {
    return conn;
  }

  /**
   * Appends one Arrow batch to {@code table}, matching columns by name, through the Arrow C
   * stream interface: DuckDB reads the vectors in place, with no row-by-row conversion.
   */
  public void load(String table, VectorSchemaRoot root, BufferAllocator allocator) throws SQLException {
    if (root.getRowCount() == 0) return;
    String name = "iptq_batch_" + streams.incrementAndGet();
    DuckDBConnection conn = loaders.get(Thread.currentThread());
    if (conn == null) {
      conn = (DuckDBConnection) this.conn.duplicate();
      // One transaction for all of a loader's batches, committed with the database: DuckDB then
      // writes each full row group straight into the file, where a commit per batch went
      // through the write-ahead log and was compressed again at every automatic checkpoint.
      conn.setAutoCommit(false);
      loaders.put(Thread.currentThread(), conn);
    }
    try (OneBatchReader reader = new OneBatchReader(allocator, root);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      conn.registerArrowStream(name, stream);
      try (Statement st = conn.createStatement()) {
        st.execute("INSERT INTO " + table + " BY NAME SELECT * FROM " + name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Checkpoints, closes, and moves the finished database into place. */
  public void commit() throws IOException, SQLException {
    closeLoaders(true);
    try (Statement st = conn.createStatement()) {
      st.execute("CHECKPOINT");
    }
    conn.close();
    done = true;
    place();
    committed = true;
    deleteTree(tempDir);
    lock.close();
    Stops.remove(onStop);
    removeCleanup();
  }

  /**
   * Moves the finished database to the target. Without --force a file that appeared there while
   * the ingest ran (the check in {@link #create} was long ago) is kept: a hard link cannot
   * replace a file, so linking and then removing the temporary name moves without overwriting.
   */
  private void place() throws IOException {
    if (force) {
      try {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return;
    }
    try {
      Files.createLink(target, temp);
      Files.delete(temp);
    } catch (FileAlreadyExistsException e) {
      throw appeared();
    } catch (UnsupportedOperationException | FileSystemException noLinks) {
      // No hard links here: the lock keeps other ingests out, so check, then rename.
      if (Files.exists(target)) throw appeared();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private InputException appeared() {
    return new InputException(target, -1, "appeared while this ingest ran and was kept (use --force to overwrite)");
  }

  /** After Ctrl-C or SIGTERM ({@link Stops}): the temporary folder and the lock go, nothing waits. */
  private void stopped() {
    if (committed) return;
    deleteTreeQuietly(tempDir);
    if (Files.exists(tempDir)) {
      // Windows keeps open files: close DuckDB first, but never wait long for it.
      Thread t = new Thread(() -> {
        try {
          conn.close();
        } catch (SQLException | RuntimeException ignored) {
          // deleted next anyway
        }
      }, "iptq-stop-close");
      t.setDaemon(true);
      t.start();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      deleteTreeRetrying(tempDir);
    }
    lock.close();
  }

  private void removeCleanup() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it finds nothing to delete
    }
  }

  private void deleteTemp() {
    deleteTreeRetrying(tempDir);
  }

  /**
   * A DuckDB thread still finishing a statement may add a file while the folder is emptied: try
   * again until the folder itself is gone.
   */
  private static void deleteTreeRetrying(Path tempDir) {
    for (int attempt = 0; attempt < 50 && Files.exists(tempDir); attempt++) {
      try {
        deleteTree(tempDir);
      } catch (IOException retry) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) deleteTree(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** Deletes a folder and all in it, as far as it can. */
  static void deleteTreeQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException ignored) {
      // what is left is removed by the next ingest (a folder of a process no longer running)
    }
  }

  /** Commits each loader's transaction (or, after a failure, drops it) and closes its connection. */
  private void closeLoaders(boolean commit) throws SQLException {
    try {
      for (DuckDBConnection c : loaders.values()) {
        if (commit) c.commit();
        c.close();
      }
    } finally {
      loaders.clear();
    }
  }

  /**
   * Commits what the loading threads appended, so that this connection sees it (the derived
   * tables are completed from it). The loaders' connections are closed; a later load opens new ones.
   */
  public void finishLoading() throws SQLException {
    closeLoaders(true);
  }

  /** Closes and deletes the unfinished database. Safe to call more than once. */
  public void abort() {
    if (committed) return;
    if (!done) {
      done = true;
      try {
        closeLoaders(false);
      } catch (SQLException ignored) {
        // the file is deleted next
      }
      try {
        conn.close();
      } catch (SQLException ignored) {
        // the file is deleted next; nothing more to save
      }
    }
    deleteTemp();
    lock.close();
    Stops.remove(onStop);
    removeCleanup();
  }

  @Override
  public void close() {
    if (!committed) abort();
  }

  /**
   * Opens an existing iptq database for reading, checking that it is one and of this schema
   * version. {@code readOnly} false is for tools that add views or tables of their own.
   */
  public static Connection open(Path db, boolean readOnly) throws SQLException {
    InputException.requireFile(db, "database file");
    NativeLibraries.load();
    Properties p = new Properties();
    if (readOnly) p.setProperty("duckdb.read_only", "true");
    Connection c;
    try {
      c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath(), p);
    } catch (SQLException e) {
      throw new InputException(db, -1, "not a DuckDB database: " + firstLine(e.getMessage()), e);
    }
    try {
      checkVersion(db, c);
    } catch (RuntimeException | SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static void checkVersion(Path db, Connection c) throws SQLException {
    String version = null;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
      if (rs.next()) version = rs.getString(1);
    } catch (SQLException e) {
      throw new InputException(db, -1, "a DuckDB database, but not one iptq wrote (no meta table)");
    }
    if (!Integer.toString(SCHEMA_VERSION).equals(version)) {
      throw new InputException(db, -1, "written with iptq schema version " + version
          + ", this iptq reads version " + SCHEMA_VERSION + ": ingest the trace again with this iptq");
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
