"""The query model the rules and the rewrites share: parsing (``parsing``), normalization
as tree-to-tree passes (``normalize``), positions in the original text (``positions``), the
statement as one object (``query``) built from its scopes and relations (``scopes``), their
output columns and stars (``outputs``), column resolution and lineage (``resolution``) and
their predicates (``predicates``), views derived once per query (``cache``), the join graph
(``joins``), the restriction of every scan and one-row sources (``scans``), and small
predicates over trees (``trees``).

Nothing here imports a rule or a rewrite (``tests/analysis/test_sql_model.py`` checks it).
"""

DIALECT = "redshift"

from redshift_optimizer.sql import compat  # noqa: E402,F401 - before any scope is built

__all__ = ["DIALECT"]
