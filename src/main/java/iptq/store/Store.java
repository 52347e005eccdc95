package iptq.store;

import iptq.InputException;
import iptq.cli.VersionProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
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
  public static final int SCHEMA_VERSION = 2;

  private static final String DB_FILE = "iptq.duckdb";

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

  private Store(Path target, Path tempDir, DuckDBConnection conn, Thread cleanup) {
    this.target = target;
    this.tempDir = tempDir;
    this.temp = tempDir.resolve(DB_FILE);
    this.conn = conn;
    this.cleanup = cleanup;
  }

  /** Creates a new database that will become {@code target} on {@link #commit()}. */
  public static Store create(Path target, boolean force) throws IOException, SQLException {
    target = target.toAbsolutePath();
    if (Files.exists(target) && !force) {
      throw new InputException(target, -1, "already exists (use --force to overwrite)");
    }
    Path dir = target.getParent();
    Files.createDirectories(dir);
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
    }, "iptq-store-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    DuckDBConnection conn;
    try {
      Files.createDirectories(tempDir);
      conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + tempDir.resolve(DB_FILE));
    } catch (IOException | SQLException | RuntimeException e) {
      deleteTreeRetrying(tempDir);
      Runtime.getRuntime().removeShutdownHook(cleanup);
      throw e;
    }
    Store store = new Store(target, tempDir, conn, cleanup);
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
    closeLoaders();
    try (Statement st = conn.createStatement()) {
      st.execute("CHECKPOINT");
    }
    conn.close();
    done = true;
    try {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    deleteTree(tempDir);
    removeCleanup();
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
    if (!Files.exists(dir)) return;
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
    }
    Files.deleteIfExists(dir);
  }

  private void closeLoaders() throws SQLException {
    for (DuckDBConnection c : loaders.values()) c.close();
    loaders.clear();
  }

  /** Closes and deletes the unfinished database. Safe to call more than once. */
  public void abort() {
    if (!done) {
      done = true;
      try {
        closeLoaders();
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
    removeCleanup();
  }

  @Override
  public void close() {
    if (!done) abort();
  }

  /**
   * Opens an existing iptq database for reading, checking that it is one and of this schema
   * version. {@code readOnly} false is for tools that add views or tables of their own.
   */
  public static Connection open(Path db, boolean readOnly) throws SQLException {
    if (!Files.isRegularFile(db)) throw new InputException(db, -1, "no such database file");
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
