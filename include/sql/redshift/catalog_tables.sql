-- Every user table of the current database with its physical design and health metrics.
-- SVV_REDSHIFT_TABLES lists all tables (SVV_TABLE_INFO omits empty ones); both views work on
-- provisioned clusters and Serverless. One round trip whatever the number of tables.
SELECT TRIM(t.schema_name) AS schema_name,
       TRIM(t.table_name) AS table_name,
       TRIM(i.diststyle) AS diststyle,
       TRIM(i.sortkey1) AS sortkey1,
       i.sortkey_num,
       TRIM(i.encoded) AS encoded,
       i.max_varchar,
       i.size AS size_mb,
       i.tbl_rows,
       i.estimated_visible_rows,
       i.skew_rows,
       i.unsorted,
       i.stats_off,
       i.vacuum_sort_benefit
FROM svv_redshift_tables t
LEFT JOIN svv_table_info i
  ON TRIM(i.schema) = TRIM(t.schema_name) AND TRIM(i."table") = TRIM(t.table_name)
WHERE TRIM(t.database_name) = CURRENT_DATABASE()
  AND TRIM(t.table_type) = 'TABLE'
  AND TRIM(t.schema_name) NOT IN ('information_schema', 'catalog_history')
  AND LEFT(TRIM(t.schema_name), 3) <> 'pg_'
  AND (:schemas = '' OR ',' || :schemas || ',' LIKE '%,' || TRIM(t.schema_name) || ',%')
ORDER BY 1, 2
