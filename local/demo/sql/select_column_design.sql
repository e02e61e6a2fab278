SELECT column_name, encoding, sortkey_position
FROM redshift_system.column_design
WHERE schema_name = %(schema_name)s AND table_name = %(table_name)s
ORDER BY column_name
