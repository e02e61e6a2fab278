-- The load's row counts reach pg_stat_user_tables when the session next goes idle, at most
-- once a second; flushed after ANALYZE they would count as changes since it (stale
-- statistics, T006, on every table). This makes the flush happen right after this statement.
SELECT pg_stat_force_next_flush()
