-- The verification identity of the local warehouse: the user that runs callers' SQL in rewrite
-- checks (Airflow connection redshift_verifier, setting verification_conn_id). It can log in
-- and read the demo tables (local/sql/verifier_grants.sql), and nothing else: no superuser, no
-- role membership (so neither pg_read_server_files nor pg_signal_backend), read-only by default.
-- The same role on Redshift: see the README's security section.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'optimizer_verifier') THEN
        CREATE ROLE optimizer_verifier LOGIN;
    END IF;
END
$$;
ALTER ROLE optimizer_verifier LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
    CONNECTION LIMIT 16;
REVOKE pg_read_server_files, pg_write_server_files, pg_execute_server_program, pg_signal_backend,
    pg_read_all_data, pg_write_all_data, pg_read_all_settings, pg_read_all_stats, pg_monitor
    FROM optimizer_verifier;
ALTER ROLE optimizer_verifier SET default_transaction_read_only = on;
ALTER ROLE optimizer_verifier SET statement_timeout = '300s';
ALTER ROLE optimizer_verifier SET idle_in_transaction_session_timeout = '300s';
