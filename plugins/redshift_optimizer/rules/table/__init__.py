"""Table rules (T codes): one table, from the snapshot, the profile and the workload."""

from redshift_optimizer.rules.table import design, maintenance, workload_design

RULES = [*design.RULES, *maintenance.RULES, *workload_design.RULES]
