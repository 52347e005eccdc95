package iptq.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import iptq.ingest.SampleSession;
import iptq.store.Rows;
import iptq.store.Store;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The --parquet dataset as the bridge to a distributed engine: Apache Spark (local[2], the same
 * engine a cluster runs) reads the dataset of the bundled sample and answers functions-before with
 * exactly the rows DuckDB's {@code iptq report functions-before} gives over the database, and
 * reads the kernel's addresses (above 2^63) as the same numbers. Runs in the spark Maven
 * profile, which CI turns on.
 */
class SparkDatasetTest {
  @TempDir static Path dir;
  static Path db, dataset;
  static SparkSession spark;

  @BeforeAll
  static void ingestAndStartSpark() throws Exception {
    db = dir.resolve("sample.duckdb");
    dataset = dir.resolve("dataset");
    SampleSession.Run r = SampleSession.bundled().ingestAll(db, "--parquet", dataset.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    spark = SparkSession.builder().master("local[2]").appName("iptq-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
        .getOrCreate();
    try (Stream<Path> tables = Files.list(dataset)) {
      for (Path t : tables.toList()) {
        spark.read().parquet(t.toString()).createOrReplaceTempView(t.getFileName().toString());
      }
    }
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) spark.stop();
  }

  @Test
  void functionsBeforeHasTheRowsOfDuckDbsReport() throws Exception {
    Path json = dir.resolve("functions-before.json");
    SampleSession.Run r = SampleSession.iptq("report", "functions-before", db.toString(), "--format", "json", "-o", json.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode duck = new ObjectMapper().readTree(json.toFile());
    List<String> expected = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    for (JsonNode row : duck) {
      if (columns.isEmpty()) row.fieldNames().forEachRemaining(columns::add);
      List<String> v = new ArrayList<>();
      for (String c : columns) v.add(duckValue(c, row.get(c)));
      expected.add(String.join(" | ", v));
    }

    String sql = new String(SparkDatasetTest.class.getResourceAsStream("functions-before.sql").readAllBytes(), StandardCharsets.UTF_8);
    List<Row> rows = spark.sql(sql).collectAsList();
    assertEquals(columns, List.of(spark.sql(sql).columns()));
    List<String> actual = new ArrayList<>();
    for (Row row : rows) {
      List<String> v = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) v.add(sparkValue(row.get(i)));
      actual.add(String.join(" | ", v));
    }
    assertTrue(expected.size() > 100, expected.size() + " rows");
    assertEquals(expected, actual);
  }

  @Test
  void addressesAboveTwoToTheSixtyThreeReadExactly() throws Exception {
    List<String> duck;
    try (Connection c = Store.open(db, true)) {
      duck = Rows.of(c, "SELECT max(start_ip)::VARCHAR, count(*) FILTER (WHERE start_ip >= '0xfffff80000000000'::UBIGINT)::VARCHAR,"
          + " sum(start_ip::HUGEINT)::VARCHAR FROM blocks");
    }
    Row s = spark.sql("SELECT max(start_ip), count_if(start_ip >= 18446735277616529408), sum(start_ip) FROM blocks").first();
    BigInteger max = ((BigDecimal) s.get(0)).toBigIntegerExact();
    assertTrue(max.compareTo(BigInteger.ONE.shiftLeft(63)) > 0, "a kernel address: " + max.toString(16));
    assertEquals(duck, List.of(max + " | " + s.getLong(1) + " | " + ((BigDecimal) s.get(2)).toBigIntegerExact()));
    assertEquals("DecimalType(20,0)", spark.table("blocks").schema().apply("start_ip").dataType().toString());
  }

  /** DuckDB's JSON value as text; the time to the microsecond, as the dataset keeps it. */
  private static String duckValue(String column, JsonNode v) {
    if (v == null || v.isNull()) return "NULL";
    if (column.equals("time_utc")) return micros(v.asText());
    return v.asText();
  }

  private static String sparkValue(Object v) {
    if (v == null) return "NULL";
    if (v instanceof java.time.LocalDateTime t) return micros(t.toString().replace('T', ' '));
    if (v instanceof java.sql.Timestamp t) return micros(t.toLocalDateTime().toString().replace('T', ' '));
    if (v instanceof BigDecimal d) return d.toPlainString();
    return v.toString();
  }

  /** "2024-05-01 12:00:00.123456789" (or fewer digits) as "2024-05-01 12:00:00.123456". */
  private static String micros(String t) {
    int dot = t.indexOf('.');
    String frac = dot < 0 ? "" : t.substring(dot + 1);
    return (dot < 0 ? t : t.substring(0, dot)) + "." + (frac + "000000").substring(0, 6);
  }
}
