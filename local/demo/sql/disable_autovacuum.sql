-- PostgreSQL's autovacuum would clean up the replayed refresh within a minute or so, and the
-- demo's ghost rows and stale statistics would vanish at an unpredictable moment.
ALTER TABLE {table} SET (autovacuum_enabled = false)
