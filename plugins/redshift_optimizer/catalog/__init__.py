"""Reading the warehouse: schema snapshot, data profile, slow queries, and snapshot diffs."""
