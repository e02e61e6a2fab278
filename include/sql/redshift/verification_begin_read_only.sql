-- Rewrite verification runs inside a read-only transaction, rolled back afterwards.
BEGIN READ ONLY
