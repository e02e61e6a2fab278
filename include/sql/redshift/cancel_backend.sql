-- Cancel the statement running in session :pid (sent from a second connection of the same user,
-- when a statement overruns its time budget and the driver has no cancel request of its own).
SELECT pg_cancel_backend(:pid) AS cancelled
