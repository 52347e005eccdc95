-- The shell's .tables: every table and view a user can query, with its row count and comment.
SELECT table_name AS name, 'table' AS kind, estimated_size AS rows, comment
FROM duckdb_tables() WHERE NOT internal AND schema_name IN ('main', 'temp')
UNION ALL
SELECT view_name, 'view', NULL, comment
FROM duckdb_views() WHERE NOT internal AND schema_name IN ('main', 'temp')
ORDER BY kind, name
