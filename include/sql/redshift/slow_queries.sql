-- The day's slow statements grouped by Redshift's generic_query_hash (literals removed),
-- with one full example text per group from SYS_QUERY_TEXT (4,000-character chunks in
-- `sequence` order). SYS views work on provisioned clusters and Serverless.
-- The product's own statements start with the redshift-optimizer tag and are skipped.
WITH slow AS (
  SELECT COALESCE(NULLIF(TRIM(generic_query_hash), ''), TRIM(user_query_hash)) AS group_hash,
         query_id, user_id, TRIM(database_name) AS database_name, start_time,
         elapsed_time, queue_time, compile_time, returned_rows
  FROM sys_query_history
  WHERE start_time >= CAST(:window_start AS TIMESTAMP)
    AND start_time < CAST(:window_end AS TIMESTAMP)
    AND elapsed_time >= CAST(:threshold_us AS BIGINT)
    AND TRIM(status) = 'success'
    AND TRIM(query_type) IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CTAS', 'MERGE', 'UNLOAD')
    AND query_text NOT LIKE '/* redshift-optimizer */%'
),
grouped AS (
  SELECT group_hash,
         COUNT(*) AS executions,
         SUM(elapsed_time) / 1000.0 AS total_elapsed_ms,
         MAX(elapsed_time) / 1000.0 AS max_elapsed_ms,
         SUM(queue_time) / 1000.0 AS queue_ms,
         SUM(compile_time) / 1000.0 AS compile_ms,
         MAX(returned_rows) AS max_returned_rows,
         MIN(start_time) AS first_seen,
         MAX(start_time) AS last_seen,
         MAX(query_id) AS example_query_id,
         MAX(user_id) AS user_id,
         MAX(database_name) AS database_name
  FROM slow
  GROUP BY group_hash
),
ranked AS (
  SELECT g.*, ROW_NUMBER() OVER (ORDER BY total_elapsed_ms DESC, group_hash) AS rank_by_time
  FROM grouped g
)
SELECT r.group_hash, r.executions, r.total_elapsed_ms, r.max_elapsed_ms, r.queue_ms,
       r.compile_ms, r.max_returned_rows, r.first_seen, r.last_seen, r.example_query_id,
       r.database_name, TRIM(u.usename) AS user_name, t.sequence, t.text
FROM ranked r
JOIN sys_query_text t ON t.query_id = r.example_query_id
LEFT JOIN pg_user u ON u.usesysid = r.user_id
WHERE r.rank_by_time <= CAST(:limit AS INTEGER)
ORDER BY r.rank_by_time, t.sequence
