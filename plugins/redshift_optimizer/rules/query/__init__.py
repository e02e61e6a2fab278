"""Query rules (Q codes): one statement, with the schema snapshot and statistics if given.

One module per rule, ``qNNN_<name>.py``, each defining ``RULE``; they are found by scanning
this package."""

from redshift_optimizer.rules.base import scan

RULES = scan(__name__)
