-- The physical design each demo table declares in its Redshift DDL (PostgreSQL has none).
CREATE TABLE IF NOT EXISTS redshift_system.table_design (
    schema_name  text,
    table_name   text,
    diststyle    text,
    distkey      text,
    sortkey_type text,
    PRIMARY KEY (schema_name, table_name)
)
