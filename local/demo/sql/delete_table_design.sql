DELETE FROM redshift_system.table_design
WHERE schema_name = %(schema_name)s AND table_name = %(table_name)s
