-- Run after the load has committed: inside the loading transaction the inserted rows would
-- be counted as modified since that ANALYZE, and the statistics would look stale.
ANALYZE {table}
