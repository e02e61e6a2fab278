-- End of a rewrite verification: nothing it did is kept.
ROLLBACK
