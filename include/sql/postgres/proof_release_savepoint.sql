-- After a query of the proof ran.
RELEASE SAVEPOINT proof_query
