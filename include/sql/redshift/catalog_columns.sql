-- Every column of the user tables: type, nullability, encoding, dist key and sort-key
-- position (negative positions mean an INTERLEAVED sort key). One round trip.
SELECT TRIM(c.schema_name) AS schema_name,
       TRIM(c.table_name) AS table_name,
       TRIM(c.column_name) AS column_name,
       c.ordinal_position,
       TRIM(c.data_type) AS data_type,
       TRIM(c.is_nullable) AS is_nullable,
       TRIM(c.encoding) AS encoding,
       c.distkey,
       c.sortkey
FROM svv_redshift_columns c
JOIN svv_redshift_tables t
  ON t.database_name = c.database_name AND t.schema_name = c.schema_name
 AND t.table_name = c.table_name
WHERE TRIM(c.database_name) = CURRENT_DATABASE()
  AND TRIM(t.table_type) = 'TABLE'
  AND TRIM(c.schema_name) NOT IN ('information_schema', 'catalog_history')
  AND LEFT(TRIM(c.schema_name), 3) <> 'pg_'
  AND (:schemas = '' OR ',' || :schemas || ',' LIKE '%,' || TRIM(c.schema_name) || ',%')
ORDER BY 1, 2, 4
