-- Declared primary keys (informational in Redshift, but used by the planner and by
-- validation), one row per key column in key order. One round trip.
SELECT k.table_schema AS schema_name,
       k.table_name,
       k.column_name,
       k.ordinal_position
FROM information_schema.table_constraints c
JOIN information_schema.key_column_usage k
  ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
 AND k.table_schema = c.table_schema AND k.table_name = c.table_name
WHERE c.constraint_type = 'PRIMARY KEY'
  AND (:schemas = '' OR ',' || :schemas || ',' LIKE '%,' || k.table_schema || ',%')
ORDER BY 1, 2, 4
