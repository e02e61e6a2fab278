"""Table rules (T codes): one table, from the snapshot, the profile and the workload."""

RULES: list = []
