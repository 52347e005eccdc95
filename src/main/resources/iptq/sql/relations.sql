-- Names of the tables and views of the database, for export's TABLE argument and the Parquet dataset.
SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE NOT internal AND schema_name = 'main'
UNION ALL
SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'
ORDER BY name
