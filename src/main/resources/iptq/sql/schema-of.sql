-- The shell's .schema NAME: the DDL of one table or view ($1 = its name).
SELECT sql FROM duckdb_tables() WHERE NOT internal AND table_name = $1
UNION ALL
SELECT sql FROM duckdb_views() WHERE NOT internal AND view_name = $1
