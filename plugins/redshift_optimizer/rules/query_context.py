"""What a query rule is given: the statement's query model (``redshift_optimizer.sql``), the
schema snapshot, the statement's statistics and profile, the analysis settings, and the
size checks those settings define.

The context reads as its query: the query's readers (scopes, sources, resolution,
lineage, predicates) and its positions (span, position, fragment) are reachable on it
directly, so a rule writes ``ctx.origin(column)`` and ``ctx.fragment(node)``, and every
function of ``redshift_optimizer.sql`` that takes a Query takes the context too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from redshift_optimizer.models.lake import DataProfile, SchemaSnapshot, SlowQuery, TableSnapshot
from redshift_optimizer.rules.settings import AnalysisSettings
from redshift_optimizer.sql.query import Query

#: What the context takes from its query, bound once (a rule asks thousands of times).
_QUERY_READERS = (
    "original", "statement", "scopes", "root", "_derived", "columns_of", "select_scopes", "sources",
    "base_reads", "joined_sources", "scope_of", "output_names", "output_columns", "has_column", "resolve",
    "source_of", "is_outer_reference", "origin", "origin_in", "definition", "lineage", "column_type",
    "referenced_sources", "_is_projection_alias", "where_conjuncts", "join_conjuncts", "filter_predicates",
)
_TEXT_READERS = ("span", "position", "fragment", "locate")


@dataclass
class QueryContext:
    """One statement as the query rules judge it."""

    sql: str
    statement: exp.Expression
    snapshot: SchemaSnapshot | None = None
    stats: SlowQuery | None = None
    profile: DataProfile | None = None
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    query_hash: str | None = None

    def __post_init__(self) -> None:
        self.query = Query(self.sql, self.statement, self.snapshot)
        for name in _QUERY_READERS:
            setattr(self, name, getattr(self.query, name))
        for name in _TEXT_READERS:
            setattr(self, name, getattr(self.query.text, name))
        self._found: dict[tuple[type, ...], list[exp.Expression]] = {}
        self._nodes: list[exp.Expression] = []  # the statement's nodes in walk order, once find_all needs them
        self._by_type: dict[type, list[exp.Expression]] | None = None

    def find_all(self, *types: type) -> list[exp.Expression]:
        """``statement.find_all(*types)``: the nodes of those types, breadth first as sqlglot
        walks, from one walk of the statement per query (most rules look for a kind of node,
        and each walked the whole statement for it). The rules only read the statement, and
        the list is shared: callers only read it."""
        found = self._found.get(types)
        if found is not None:
            return found
        if self._by_type is None:
            self._nodes = list(self.statement.walk())
            self._by_type = {}
            for node in self._nodes:
                kind = type(node)
                bucket = self._by_type.get(kind)
                if bucket is None:
                    self._by_type[kind] = [node]
                else:
                    bucket.append(node)
        buckets = [nodes for kind, nodes in self._by_type.items() if issubclass(kind, types)]
        if len(buckets) <= 1:
            found = buckets[0] if buckets else []
        else:  # several kinds: in walk order
            found = [node for node in self._nodes if isinstance(node, types)]
        self._found[types] = found
        return found

    @property
    def cte_scopes(self) -> list:
        return self.query.cte_scopes

    # -------------------------------------------------------------------------- the sizes

    def is_large(self, table: TableSnapshot | None) -> bool:
        return bool(table and table.row_count is not None and table.row_count >= self.settings.large_table_rows)

    def is_small(self, table: TableSnapshot | None) -> bool:
        return bool(table and table.row_count is not None and table.row_count <= self.settings.small_table_rows)


__all__ = ["QueryContext"]
