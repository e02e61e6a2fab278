-- End of an adversarial proof: the scratch schema and its generated rows are dropped with the transaction.
ROLLBACK
