INSERT INTO redshift_system.column_design (schema_name, table_name, column_name, encoding, sortkey_position)
VALUES (%(schema_name)s, %(table_name)s, %(column_name)s, %(encoding)s, %(sortkey_position)s)
