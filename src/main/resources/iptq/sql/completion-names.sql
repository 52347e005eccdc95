-- What the shell's Tab completes in SQL: table and view names, and column names.
SELECT table_name FROM duckdb_tables() WHERE NOT internal AND schema_name = 'main'
UNION SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'
UNION SELECT column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main'
