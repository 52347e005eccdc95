import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A DuckDB client that knows nothing of iptq: run in a fresh JVM with only the DuckDB JDBC jar
 * on the class path, it opens the database read-only and reads every value of every table and
 * view, printing "name rows values" per relation.
 */
public class ReadEveryTable {
  public static void main(String[] args) throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0], props)) {
      List<String> names = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1")) {
        while (rs.next()) names.add(rs.getString(1));
      }
      for (String name : names) {
        long rows = 0;
        long values = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + name + "\"")) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            rows++;
            for (int i = 1; i <= n; i++) if (rs.getObject(i) != null) values++;
          }
        }
        System.out.println(name + " " + rows + " " + values);
      }
    }
  }
}
