"""One statement as a model: its scopes, its relations resolved against the schema
snapshot, its columns traced to base tables (lineage), and its original text.

``Query`` is the one object the rules and the rewrites hold. It is built in layers, one
module each, every layer reading only itself and the layers below it: the scopes and their
relations (``scopes``), what each scope projects and what its stars expand to (``outputs``),
column resolution and lineage (``resolution``), and beside them the predicates of a scope
(``predicates``). The derived views computed once per query (``cache.per_query``) are kept
on it.
"""

from __future__ import annotations

from sqlglot import exp

from redshift_optimizer.models.lake import SchemaSnapshot
from redshift_optimizer.sql.normalize import normalize
from redshift_optimizer.sql.positions import SourceText
from redshift_optimizer.sql.predicates import Predicates
from redshift_optimizer.sql.resolution import ColumnResolution


class Query(ColumnResolution, Predicates):
    """A parsed statement, normalized (see ``normalize``), with its scopes and the readers
    of its relations and columns. ``sql`` is the text it was parsed from ("" for a tree built
    in code: positions are then unknown)."""

    def __init__(self, sql: str, statement: exp.Expression, snapshot: SchemaSnapshot | None = None):
        self.sql = sql
        self.text = SourceText(sql)
        #: The statement as parsed; ``statement`` is what the rules read (for UPDATE, DELETE
        #: and MERGE, an equivalent SELECT over the same relations and predicates; for UNLOAD,
        #: EXPLAIN and PREPARE, the query they carry).
        self.original = statement
        super().__init__(normalize(sql, statement), snapshot)
        self._derived: dict[tuple, tuple[tuple, object]] = {}  # see cache.per_query


__all__ = ["Query"]
