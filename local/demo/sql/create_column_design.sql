-- Compression and sort-key position of each demo column, as its Redshift DDL declares them.
CREATE TABLE IF NOT EXISTS redshift_system.column_design (
    schema_name      text,
    table_name       text,
    column_name      text,
    encoding         text,
    sortkey_position integer,
    PRIMARY KEY (schema_name, table_name, column_name)
)
