"""The rule engine: one rule per finding code, each a small unit with its documentation.

Query rules judge one statement (``rules/query``), table rules one table of the snapshot
(``rules/table``), workload rules the slow-query window (``rules/workload``). The catalogue
(``rules/catalogue.py``) lists them all.
"""

from redshift_optimizer import sql  # noqa: F401 - the query model, before any scope is built
from redshift_optimizer.rules.settings import AnalysisSettings

__all__ = ["AnalysisSettings"]
