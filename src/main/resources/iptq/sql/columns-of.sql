-- The shell's .schema NAME: the columns of one table or view with their comments ($1 = its name).
SELECT column_name AS "column", data_type AS type, comment
FROM duckdb_columns() WHERE NOT internal AND table_name = $1
ORDER BY column_index
