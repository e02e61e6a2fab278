-- The design tables live next to the launcher's Redshift-shaped system views; creating them
-- here too lets the loader run against a bare PostgreSQL.
CREATE SCHEMA IF NOT EXISTS redshift_system
