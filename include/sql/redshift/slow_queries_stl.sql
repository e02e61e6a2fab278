-- Fallback for provisioned clusters without the SYS views: STL_QUERY with its WLM times (us),
-- grouped by the MD5 of the text (the caller regroups by fingerprint), with the full text
-- from STL_QUERYTEXT (200-character chunks in `sequence` order). STL keeps about a week.
WITH slow AS (
  SELECT MD5(q.querytxt) AS group_hash, q.query AS query_id, q.userid AS user_id,
         TRIM(q.database) AS database_name, q.starttime AS start_time,
         w.total_queue_time + w.total_exec_time AS elapsed_time,
         w.total_queue_time AS queue_time
  FROM stl_query q
  JOIN stl_wlm_query w ON w.query = q.query
  WHERE q.starttime >= CAST(:window_start AS TIMESTAMP)
    AND q.starttime < CAST(:window_end AS TIMESTAMP)
    AND w.total_queue_time + w.total_exec_time >= CAST(:threshold_us AS BIGINT)
    AND q.aborted = 0
    AND q.querytxt NOT LIKE '/* redshift-optimizer */%'
),
grouped AS (
  SELECT group_hash,
         COUNT(*) AS executions,
         SUM(elapsed_time) / 1000.0 AS total_elapsed_ms,
         MAX(elapsed_time) / 1000.0 AS max_elapsed_ms,
         SUM(queue_time) / 1000.0 AS queue_ms,
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
       CAST(NULL AS FLOAT) AS compile_ms, CAST(NULL AS BIGINT) AS max_returned_rows,
       r.first_seen, r.last_seen, r.example_query_id, r.database_name,
       TRIM(u.usename) AS user_name, t.sequence, t.text
FROM ranked r
JOIN stl_querytext t ON t.query = r.example_query_id
LEFT JOIN pg_user u ON u.usesysid = r.user_id
WHERE r.rank_by_time <= CAST(:limit AS INTEGER)
ORDER BY r.rank_by_time, t.sequence
