-- The backend process id of this session: where a cancel from a second connection is aimed.
SELECT pg_backend_pid() AS pid
