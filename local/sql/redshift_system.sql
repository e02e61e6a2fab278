-- The local engine's Redshift catalog: relations named and shaped like Redshift's system
-- views (the documented column names and types), computed from PostgreSQL's own statistics,
-- its server log and the declared Redshift design of each table. The product's Redshift SQL
-- files run unchanged against them, so a wrong column in a Redshift query fails a test.
--
-- Schema redshift_system is on the database's search_path (set by the launcher), the way
-- pg_catalog is on Redshift's. Applied idempotently on every start.

CREATE SCHEMA IF NOT EXISTS redshift_system;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS file_fdw;

-- The physical design each table was declared with (filled by the demo loader from the
-- Redshift DDL; a table without a row here behaves like Redshift's default, DISTSTYLE AUTO).
CREATE TABLE IF NOT EXISTS redshift_system.table_design (
  schema_name text, table_name text,
  diststyle text,       -- 'KEY' | 'EVEN' | 'ALL' | 'AUTO'
  distkey text,         -- column name when diststyle = 'KEY', else NULL
  sortkey_type text,    -- 'COMPOUND' | 'INTERLEAVED' | 'AUTO' | NULL (no sort key)
  PRIMARY KEY (schema_name, table_name));
CREATE TABLE IF NOT EXISTS redshift_system.column_design (
  schema_name text, table_name text, column_name text,
  encoding text,              -- 'RAW','AZ64','ZSTD','LZO','BYTEDICT','RUNLENGTH','DELTA', ...
  sortkey_position integer,   -- 1-based position in the sort key, 0 when not a sort key column
  PRIMARY KEY (schema_name, table_name, column_name));

-- Rows per slice the way a 16-slice cluster would place them: hash of the dist key, so a
-- skewed or NULL-heavy key shows real skew. Ratio of the fullest slice to the emptiest.
CREATE OR REPLACE FUNCTION redshift_system.slice_skew(rel regclass, distkey text)
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
DECLARE ratio numeric;
BEGIN
  EXECUTE format(
    'SELECT round(max(n)::numeric / greatest(min(n), 1), 2) FROM ('
    '  SELECT count(*) AS n FROM %s GROUP BY abs(hashtext(coalesce(%I::text, ''''))) %% 16'
    ') AS slices', rel, distkey)
  INTO ratio;
  RETURN ratio;
END $$;

CREATE OR REPLACE VIEW redshift_system.design_of_tables AS
SELECT c.oid AS table_id, n.nspname::text AS schema_name, c.relname::text AS table_name,
       coalesce(d.diststyle, 'AUTO') AS diststyle, d.distkey, d.sortkey_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN redshift_system.table_design d ON d.schema_name = n.nspname AND d.table_name = c.relname
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_system', 'pg_toast');

CREATE OR REPLACE VIEW redshift_system.svv_redshift_columns AS
SELECT current_database()::varchar(128) AS database_name,
       t.schema_name::varchar(128) AS schema_name,
       t.table_name::varchar(128) AS table_name,
       a.attname::varchar(128) AS column_name,
       a.attnum::integer AS ordinal_position,
       format_type(a.atttypid, a.atttypmod)::varchar(32) AS data_type,
       pg_get_expr(ad.adbin, ad.adrelid)::varchar(4000) AS column_default,
       (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END)::varchar(3) AS is_nullable,
       lower(CASE WHEN coalesce(cd.encoding, 'RAW') = 'RAW' THEN 'none' ELSE cd.encoding END)::varchar(128)
         AS encoding,
       (t.diststyle = 'KEY' AND t.distkey = a.attname) AS distkey,
       (CASE WHEN t.sortkey_type = 'INTERLEAVED' AND coalesce(cd.sortkey_position, 0) > 0
             THEN -cd.sortkey_position
             ELSE coalesce(cd.sortkey_position, 0) END)::integer AS sortkey,
       NULL::varchar(128) AS column_acl,
       col_description(a.attrelid, a.attnum)::varchar(256) AS remarks
FROM redshift_system.design_of_tables t
JOIN pg_attribute a ON a.attrelid = t.table_id AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN redshift_system.column_design cd
  ON cd.schema_name = t.schema_name AND cd.table_name = t.table_name AND cd.column_name = a.attname;

CREATE OR REPLACE VIEW redshift_system.svv_redshift_tables AS
SELECT current_database()::varchar(128) AS database_name,
       t.schema_name::varchar(128) AS schema_name,
       t.table_name::varchar(128) AS table_name,
       'TABLE'::varchar(128) AS table_type,
       NULL::varchar(128) AS table_acl,
       obj_description(t.table_id)::varchar(256) AS remarks
FROM redshift_system.design_of_tables t;

-- SVV_TABLE_INFO omits empty tables, as Redshift's does.
CREATE OR REPLACE VIEW redshift_system.svv_table_info AS
WITH cols AS (
  SELECT schema_name, table_name,
         bool_or(encoding <> 'none') AS any_encoded,
         max(CASE WHEN data_type LIKE 'character varying(%' THEN
               substring(data_type FROM '\((\d+)\)')::integer END) AS max_varchar,
         max(CASE WHEN abs(sortkey) = 1 THEN column_name END) AS sortkey1,
         max(CASE WHEN abs(sortkey) = 1 THEN encoding END) AS sortkey1_enc,
         count(*) FILTER (WHERE sortkey <> 0) AS sortkey_num
  FROM redshift_system.svv_redshift_columns
  GROUP BY schema_name, table_name
)
SELECT current_database()::text AS database,
       t.schema_name::text AS schema,
       t.table_id::integer AS table_id,
       t.table_name::text AS "table",
       (CASE WHEN c.any_encoded THEN 'Y' ELSE 'N' END)::text AS encoded,
       (CASE t.diststyle
          WHEN 'KEY' THEN 'KEY(' || t.distkey || ')'
          WHEN 'AUTO' THEN 'AUTO(EVEN)'
          ELSE t.diststyle END)::text AS diststyle,
       (CASE WHEN t.sortkey_type = 'AUTO' AND c.sortkey1 IS NULL THEN 'AUTO(SORTKEY)'
             WHEN t.sortkey_type = 'AUTO' THEN 'AUTO(SORTKEY(' || c.sortkey1 || '))'
             ELSE c.sortkey1 END)::text AS sortkey1,
       c.max_varchar::integer AS max_varchar,
       c.sortkey1_enc::varchar(32) AS sortkey1_enc,
       c.sortkey_num::integer AS sortkey_num,
       ceil(pg_total_relation_size(t.table_id) / 1048576.0)::bigint AS size,
       NULL::numeric(10,4) AS pct_used,
       0::bigint AS empty,
       (CASE WHEN c.sortkey1 IS NULL THEN NULL
             ELSE round((1 - abs(coalesce(st.correlation, 0)))::numeric * 100, 2) END)::numeric(5,2)
         AS unsorted,
       (CASE WHEN coalesce(s.last_analyze, s.last_autoanalyze) IS NULL THEN 100
             ELSE least(100, round(100.0 * s.n_mod_since_analyze / greatest(v.live_rows, 1), 2))
        END)::numeric(5,2) AS stats_off,
       (v.live_rows + s.n_dead_tup)::numeric(38,0) AS tbl_rows,
       NULL::numeric(19,2) AS skew_sortkey1,
       (CASE t.diststyle
          WHEN 'KEY' THEN redshift_system.slice_skew(t.table_id, t.distkey)
          WHEN 'ALL' THEN NULL
          ELSE 1.00 END)::numeric(19,2) AS skew_rows,
       v.live_rows::numeric(38,0) AS estimated_visible_rows,
       NULL::varchar(128) AS risk_event,
       NULL::numeric(12,2) AS vacuum_sort_benefit,
       NULL::timestamp AS create_time
FROM redshift_system.design_of_tables t
JOIN cols c ON c.schema_name = t.schema_name AND c.table_name = t.table_name
JOIN pg_stat_user_tables s ON s.relid = t.table_id
JOIN pg_class pc ON pc.oid = t.table_id
-- ANALYZE's row count is transactional; the activity counters lag a second behind writers.
CROSS JOIN LATERAL (SELECT CASE WHEN pc.reltuples >= 0 THEN pc.reltuples::bigint
                                ELSE s.n_live_tup END AS live_rows) v
LEFT JOIN pg_stats st
  ON st.schemaname = t.schema_name AND st.tablename = t.table_name AND st.attname = c.sortkey1
WHERE v.live_rows + s.n_dead_tup > 0;

-- The server's CSV log (logging_collector, log_min_duration_statement on the warehouse
-- database): each finished statement with its real duration.
DROP FOREIGN TABLE IF EXISTS redshift_system.server_log CASCADE;
DROP SERVER IF EXISTS server_log_files CASCADE;
CREATE SERVER server_log_files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE redshift_system.server_log (
  log_time timestamp(3) with time zone, user_name text, database_name text,
  process_id integer, connection_from text, session_id text, session_line_num bigint,
  command_tag text, session_start_time timestamp with time zone,
  virtual_transaction_id text, transaction_id bigint, error_severity text,
  sql_state_code text, message text, detail text, hint text, internal_query text,
  internal_query_pos integer, context text, query text, query_pos integer, location text,
  application_name text, backend_type text, leader_pid integer, query_id bigint
) SERVER server_log_files OPTIONS (filename 'log/postgresql.csv', format 'csv');

-- The statements of the log, copied into a table as they are read: a view over the file would
-- parse the whole log at every reference, and the history views reference it several times.
CREATE TABLE IF NOT EXISTS redshift_system.statement_log (
  session_id text NOT NULL, session_line_num bigint NOT NULL,
  statement_id bigint NOT NULL, log_time timestamp(3) with time zone NOT NULL,
  user_name text, database_name text, process_id integer, transaction_id bigint,
  command_tag text, application_name text, query_id bigint,
  duration_ms numeric NOT NULL, statement_text text NOT NULL,
  PRIMARY KEY (session_id, session_line_num));
CREATE INDEX IF NOT EXISTS statement_log_time ON redshift_system.statement_log (log_time);

-- Copies the log lines written since the last call, then returns every logged statement.
-- One line per executed statement: simple-protocol 'statement', extended-protocol 'execute'
-- (its 'parse' and 'bind' steps are not executions). A read-only transaction only reads.
CREATE OR REPLACE FUNCTION redshift_system.read_statement_log()
RETURNS SETOF redshift_system.statement_log LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_setting('transaction_read_only') = 'off' THEN
    INSERT INTO redshift_system.statement_log
    SELECT l.session_id, l.session_line_num,
           ('x' || substr(md5(l.session_id || ':' || l.session_line_num), 1, 7))::bit(28)::integer::bigint,
           l.log_time, l.user_name, l.database_name, l.process_id, l.transaction_id,
           l.command_tag, l.application_name, l.query_id,
           substring(l.message FROM '^duration: ([0-9.]+) ms')::numeric,
           substring(l.message FROM '^duration: [0-9.]+ ms  (?:statement|execute [^:]*): (.*)$')
    FROM redshift_system.server_log l
    WHERE l.log_time >= coalesce((SELECT max(log_time) FROM redshift_system.statement_log),
                                 '-infinity'::timestamptz)
      AND l.error_severity = 'LOG'
      AND l.message ~ '^duration: [0-9.]+ ms  (statement|execute [^:]*): '
      AND l.backend_type = 'client backend'
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN QUERY SELECT * FROM redshift_system.statement_log;
END $$;

CREATE OR REPLACE VIEW redshift_system.logged_statements AS
SELECT * FROM redshift_system.read_statement_log();

CREATE OR REPLACE VIEW redshift_system.sys_query_history AS
SELECT r.oid::integer AS user_id,
       s.statement_id AS query_id,
       coalesce(nullif(s.application_name, ''), 'default')::varchar(320) AS query_label,
       s.transaction_id AS transaction_id,
       s.process_id AS session_id,
       s.database_name::varchar(64) AS database_name,
       (CASE WHEN s.command_tag IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY')
             THEN s.command_tag
             WHEN s.command_tag IN ('CREATE TABLE AS', 'SELECT INTO') THEN 'CTAS'
             WHEN s.command_tag ~ '^(CREATE|ALTER|DROP|TRUNCATE|COMMENT)' THEN 'DDL'
             ELSE 'UTILITY' END)::varchar(32) AS query_type,
       'success'::varchar(10) AS status,
       false AS result_cache_hit,
       ((s.log_time AT TIME ZONE 'UTC') - s.duration_ms * interval '1 millisecond')::timestamp AS start_time,
       (s.log_time AT TIME ZONE 'UTC')::timestamp AS end_time,
       round(s.duration_ms * 1000)::bigint AS elapsed_time,
       0::bigint AS queue_time,
       round(s.duration_ms * 1000)::bigint AS execution_time,
       0::bigint AS compile_time,
       NULL::bigint AS planning_time,
       NULL::bigint AS lock_wait_time,
       NULL::varchar(512) AS error_message,
       (SELECT round(sum(p.rows)::numeric / greatest(sum(p.calls), 1))::bigint
          FROM pg_stat_statements p WHERE p.queryid = s.query_id) AS returned_rows,
       NULL::bigint AS returned_bytes,
       left(s.statement_text, 4000)::varchar(4000) AS query_text,
       md5(s.statement_text)::varchar(64) AS user_query_hash,
       s.query_id::text::varchar(64) AS generic_query_hash,
       100 AS service_class_id,
       'default'::varchar(64) AS service_class_name,
       'false'::varchar(10) AS short_query_accelerated,
       'primary'::varchar(32) AS compute_type
FROM redshift_system.logged_statements s
LEFT JOIN pg_roles r ON r.rolname = s.user_name;

CREATE OR REPLACE VIEW redshift_system.sys_query_text AS
SELECT r.oid::integer AS user_id, s.statement_id AS query_id, s.transaction_id,
       s.process_id AS session_id,
       ((s.log_time AT TIME ZONE 'UTC') - s.duration_ms * interval '1 millisecond')::timestamp AS start_time,
       g.seq - 1 AS sequence,
       substr(s.statement_text, (g.seq - 1) * 4000 + 1, 4000)::varchar(4000) AS text
FROM redshift_system.logged_statements s
LEFT JOIN pg_roles r ON r.rolname = s.user_name
CROSS JOIN LATERAL generate_series(1, greatest(ceil(length(s.statement_text) / 4000.0)::int, 1)) AS g(seq);

-- The provisioned-cluster STL tables, for the fallback path.
CREATE OR REPLACE VIEW redshift_system.stl_query AS
SELECT h.user_id AS userid, h.query_id::integer AS query, h.query_label AS label,
       h.transaction_id AS xid, h.session_id AS pid, h.database_name AS database,
       h.query_text AS querytxt, h.start_time AS starttime, h.end_time AS endtime,
       0 AS aborted, 0 AS insert_pristine, 0 AS concurrency_scaling_status
FROM redshift_system.sys_query_history h;

CREATE OR REPLACE VIEW redshift_system.stl_wlm_query AS
SELECT h.user_id AS userid, h.transaction_id AS xid, h.query_id::integer AS task,
       h.query_id::integer AS query, 6 AS service_class, 1 AS slot_count,
       h.start_time AS service_class_start_time, h.start_time AS queue_start_time,
       h.start_time AS queue_end_time, h.queue_time AS total_queue_time,
       h.start_time AS exec_start_time, h.end_time AS exec_end_time,
       h.execution_time AS total_exec_time, h.end_time AS service_class_end_time,
       'Completed'::varchar(16) AS final_state, NULL::bigint AS est_peak_mem,
       'Normal'::varchar(20) AS query_priority, 'default'::varchar(64) AS service_class_name
FROM redshift_system.sys_query_history h;

CREATE OR REPLACE VIEW redshift_system.stl_querytext AS
SELECT r.oid::integer AS userid, s.transaction_id AS xid, s.process_id AS pid,
       s.statement_id::integer AS query, g.seq - 1 AS sequence,
       substr(s.statement_text, (g.seq - 1) * 200 + 1, 200)::varchar(200) AS text
FROM redshift_system.logged_statements s
LEFT JOIN pg_roles r ON r.rolname = s.user_name
CROSS JOIN LATERAL generate_series(1, greatest(ceil(length(s.statement_text) / 200.0)::int, 1)) AS g(seq);
