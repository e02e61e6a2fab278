"""Workload rules (C codes): the slow-query window and the tables it reads."""

from redshift_optimizer.rules.workload import cost

RULES = [*cost.RULES]
