"""The scopes of a statement and the relations each one reads: base tables resolved against
the schema snapshot, CTEs and derived tables, in FROM order with the JOIN that brought each in,
and which scope a node belongs to. The first layer of :class:`redshift_optimizer.sql.query.Query`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from redshift_optimizer.models.lake import SchemaSnapshot, TableSnapshot


@dataclass(eq=False)
class Source:
    """A relation in a scope's FROM clause: a base table, a CTE, or a derived table."""

    alias: str
    scope: Scope
    node: exp.Expression
    table: TableSnapshot | None = None
    derived: Scope | None = None
    name: str = ""
    kind: str = "table"  # table | derived | other

    @property
    def is_base(self) -> bool:
        return self.kind == "table"


class Scopes:
    """The scopes of a (normalized) statement and the relations of each."""

    def __init__(self, statement: exp.Expression, snapshot: SchemaSnapshot | None = None):
        self.statement = statement
        self.snapshot = snapshot
        try:
            self.scopes: list[Scope] = list(traverse_scope(self.statement))
        except Exception:  # noqa: BLE001 - sqlglot cannot scope some statements (e.g. MERGE)
            self.scopes = []
        self._sources: dict[int, dict[str, Source]] = {}
        self._column_scope: dict[int, Scope] = {}
        self._scope_columns: dict[int, list[exp.Column]] = {}
        # Each column belongs to the scope whose own text holds it (not a nested query's).
        # Walked here rather than with Scope.columns, which climbs every column's ancestors
        # and takes seconds on generated SQL with thousands of ORs.
        roots = {id(scope.expression) for scope in self.scopes}
        for scope in self.scopes:
            top = scope.expression
            own = self._scope_columns.setdefault(id(scope), [])
            for node in top.walk(prune=lambda n, top=top: n is not top and id(n) in roots):
                if isinstance(node, exp.Column) and id(node) not in self._column_scope:
                    self._column_scope[id(node)] = scope
                    own.append(node)

    def columns_of(self, scope: Scope) -> list[exp.Column]:
        """The column references written in a scope itself (not in the queries nested in it)."""
        return self._scope_columns.get(id(scope), [])

    @property
    def root(self) -> Scope | None:
        return self.scopes[-1] if self.scopes else None

    def select_scopes(self) -> Iterator[Scope]:
        """Scopes whose expression is a SELECT (set operations are walked through their branches)."""
        for scope in self.scopes:
            if isinstance(scope.expression, exp.Select):
                yield scope

    def sources(self, scope: Scope) -> dict[str, Source]:
        """The relations of a scope by lower-case alias."""
        cached = self._sources.get(id(scope))
        if cached is not None:
            return cached
        result: dict[str, Source] = {}
        aliases = [alias.lower() for alias in scope.sources]
        for alias, value in scope.sources.items():
            key = alias.lower()
            if isinstance(value, Scope):
                result[key] = Source(key, scope, value.expression, derived=value,
                                     name=alias, kind="derived")
            elif isinstance(value, exp.Table):
                if self._is_navigation(value, aliases) or not value.name:  # TABLE(fn(...)), navigation
                    result[key] = Source(key, scope, value, name=alias, kind="other")
                    continue
                written = ".".join(p for p in (value.db, value.name) if p)
                table = lookup_table(self.snapshot, written) if self.snapshot and written else None
                result[key] = Source(key, scope, value, table=table,
                                     name=table.table_name if table else written.lower())
            else:
                result[key] = Source(key, scope, value, name=alias, kind="other")
        self._sources[id(scope)] = result
        return result

    @staticmethod
    def _is_navigation(table: exp.Table, aliases: list[str]) -> bool:
        """Redshift SUPER navigation ("FROM t, t.items i") reads a column, not a table: the
        table's schema is another relation of the scope (``aliases``: theirs, lower case)."""
        db = (table.db or "").lower()
        if not db:
            return False
        own = table.alias_or_name.lower()
        return any(alias == db and alias != own for alias in aliases)

    def base_reads(self) -> list[Source]:
        """Every read of a base table in the statement, one per FROM/JOIN occurrence (a table
        a scope only sees, as an UNNEST of ``e.items`` sees ``e``, is the same read)."""
        reads: dict[int, Source] = {}
        for scope in self.scopes:
            for source in self.sources(scope).values():
                if not source.is_base:
                    continue
                known = reads.get(id(source.node))
                if known is None or (not isinstance(known.scope.expression, exp.Select)
                                     and isinstance(scope.expression, exp.Select)):
                    reads[id(source.node)] = source
        return list(reads.values())

    def joined_sources(self, scope: Scope) -> list[tuple[Source, exp.Join | None]]:
        """The scope's relations in FROM order with the JOIN that brought each in."""
        select = scope.expression
        if not isinstance(select, exp.Select):
            return []
        sources = self.sources(scope)
        ordered: list[tuple[Source, exp.Join | None]] = []
        from_ = select.args.get("from_") or select.args.get("from")
        if from_ is not None and from_.this is not None:
            source = sources.get(from_.this.alias_or_name.lower())
            if source:
                ordered.append((source, None))
        for join in select.args.get("joins") or []:
            source = sources.get(join.this.alias_or_name.lower())
            if source:
                ordered.append((source, join))
        return ordered

    def scope_of(self, node: exp.Expression) -> Scope | None:
        """The innermost scope whose SELECT contains the node."""
        if isinstance(node, exp.Column) and id(node) in self._column_scope:
            return self._column_scope[id(node)]
        query = node if isinstance(node, exp.Query) else node.find_ancestor(exp.Query)
        while query is not None:
            for scope in self.scopes:
                if scope.expression is query:
                    return scope
            query = query.find_ancestor(exp.Query)
        return None

    @cached_property
    def cte_scopes(self) -> list[Scope]:
        return [s for s in self.scopes if s.scope_type == ScopeType.CTE]


def lookup_table(snapshot: SchemaSnapshot, written: str) -> TableSnapshot | None:
    """The snapshot table a name in the query reads. A bare name that several schemas hold is
    the one in ``public``, as Redshift's default search_path ('$user', public) resolves it."""
    table = snapshot.table(written)
    if table is None and "." not in written:
        table = snapshot.table(f"public.{written}")
    return table


def leaf_scopes(scope: Scope) -> list[Scope]:
    """The branches of a set operation at any depth, in order; the scope itself when it is none."""
    if not scope.set_operation_scopes:
        return [scope]
    return [leaf for branch in scope.set_operation_scopes for leaf in leaf_scopes(branch)]


def first_branch(scope: Scope) -> Scope:
    """The first branch of a set operation, at any depth (it names the output columns)."""
    while scope.set_operation_scopes:
        scope = scope.set_operation_scopes[0]
    return scope


def is_ancestor(ancestor: Scope, scope: Scope) -> bool:
    """True when ``scope`` is nested (at any depth) in ``ancestor``."""
    parent = scope.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


__all__ = ["Scopes", "Source", "first_branch", "is_ancestor", "leaf_scopes", "lookup_table"]
