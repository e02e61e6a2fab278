"""Workload rules (C codes): the slow-query window and the tables it reads.

One module per rule, ``cNNN_<name>.py``, each defining ``RULE``; they are found by scanning
this package."""

from redshift_optimizer.rules.base import scan

RULES = scan(__name__)
