-- Before each query of the proof, so that one that fails does not end the transaction.
SAVEPOINT proof_query
