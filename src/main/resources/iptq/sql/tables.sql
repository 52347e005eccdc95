-- The shell's .tables: every table and view a user can query, with its row count and comment.
-- blocks, branches and function_runs are views over their stored rows (schema/30-decode.sql):
-- they are listed as the tables they stand for, with the row count of their storage, and the
-- storage itself (the *_rows tables and places) is left out.
WITH stored(name, storage) AS (
  VALUES ('blocks', 'block_rows'), ('branches', 'branch_rows'), ('function_runs', 'function_run_rows')
)
SELECT table_name AS name, 'table' AS kind, estimated_size AS rows, comment
FROM duckdb_tables() WHERE NOT internal AND schema_name IN ('main', 'temp')
  AND table_name NOT IN (SELECT storage FROM stored) AND table_name <> 'places'
UNION ALL
SELECT v.view_name, CASE WHEN t.table_name IS NULL THEN 'view' ELSE 'table' END, t.estimated_size, v.comment
FROM duckdb_views() v
LEFT JOIN stored s ON s.name = v.view_name
LEFT JOIN duckdb_tables() t ON t.table_name = s.storage AND t.schema_name = v.schema_name
WHERE NOT v.internal AND v.schema_name IN ('main', 'temp')
ORDER BY kind, name
