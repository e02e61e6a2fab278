"""The rule engine: one rule per finding code, each a small unit with its documentation.

Query rules judge one statement (``rules/query``), table rules one table of the snapshot
(``rules/table``), workload rules the slow-query window (``rules/workload``), validation
rules one table's data in the warehouse (``rules/validation``). Each package's modules
``<code>_<name>.py`` are found by scanning it (:func:`rules.base.scan`); the catalogue
(``rules/catalogue.py``) gathers them all.
"""

from redshift_optimizer import sql  # noqa: F401 - the query model, before any scope is built
from redshift_optimizer.rules.settings import AnalysisSettings

__all__ = ["AnalysisSettings"]
