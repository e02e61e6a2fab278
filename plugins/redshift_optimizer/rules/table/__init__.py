"""Table rules (T codes): one table, from the snapshot, the profile and the workload.

One module per rule, ``tNNN_<name>.py``, each defining ``RULE``; they are found by scanning
this package."""

from redshift_optimizer.rules.base import scan

RULES = scan(__name__)
