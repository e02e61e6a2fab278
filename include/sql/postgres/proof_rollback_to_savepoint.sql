-- After a query of the proof failed: back to before it.
ROLLBACK TO SAVEPOINT proof_query
