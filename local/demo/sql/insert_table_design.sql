INSERT INTO redshift_system.table_design (schema_name, table_name, diststyle, distkey, sortkey_type)
VALUES (%(schema_name)s, %(table_name)s, %(diststyle)s, %(distkey)s, %(sortkey_type)s)
