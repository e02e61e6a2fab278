"""Column resolution and lineage: the relation a column reference belongs to, the base-table
column it reads (its origin), the expression it stands for, and every base column a filter on
it reaches when pushed down.

Resolution follows SQL's own rules: a qualified column belongs to the relation of that alias
in its scope or an enclosing one (correlation); an unqualified column belongs to the one
relation of the scope that has it (by the snapshot, or by the names a CTE or derived table
projects). Where the snapshot cannot tell, resolution gives up (None) and callers stay silent.
Names compare case-insensitively, as Redshift's identifiers do by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.models.lake import ColumnSnapshot, SchemaSnapshot, TableSnapshot
from redshift_optimizer.sql.outputs import STAR, OutputColumns
from redshift_optimizer.sql.scopes import Source, first_branch, is_ancestor, leaf_scopes
from redshift_optimizer.sql.trees import columns_outside_subqueries


@dataclass(frozen=True, eq=False)
class ColumnOrigin:
    """Where a column reference comes from: a base relation and, if known, its column."""

    source: Source
    name: str
    column: ColumnSnapshot | None = None

    @property
    def table(self) -> TableSnapshot | None:
        return self.source.table

    @property
    def qualified(self) -> str:
        return f"{self.source.name}.{self.name}"


class ColumnResolution(OutputColumns):
    """Resolution and lineage of the columns of a statement (the third layer of ``Query``)."""

    def __init__(self, statement: exp.Expression, snapshot: SchemaSnapshot | None = None):
        super().__init__(statement, snapshot)
        self._has_cache: dict[tuple[int, str], bool | None] = {}
        self._selected_cache: dict[int, set[str]] = {}
        self._candidate_cache: dict[int, tuple[Scope, list]] = {}
        self._resolved: dict[tuple[str, str, int], tuple[Scope | None, Source | None]] = {}
        self._origins: dict[tuple[str, str, int], tuple[Scope | None, ColumnOrigin | None]] = {}
        # The same column nodes are asked about many times (their relation, their origin): the
        # answer is kept per node, with the node, as the tree is read and not changed.
        self._node_sources: dict[int, tuple[exp.Column, Source | None]] = {}
        self._node_origins: dict[int, tuple[exp.Column, ColumnOrigin | None]] = {}

    def has_column(self, source: Source, name: str) -> bool | None:
        """Whether the relation has that column: True, False, or None when unknown."""
        key = (id(source), name)
        if key in self._has_cache:
            return self._has_cache[key]
        result: bool | None = None
        if source.kind == "table":
            renamed = _renamed(source)
            if renamed and name in renamed:
                result = True
            else:
                result = (source.table.column(name) is not None) if source.table and source.table.columns else None
                if result and renamed and _base_name(source, name) is None:
                    result = False  # hidden by the alias's column list
        elif source.derived is not None:
            names = self.output_names(source.derived)
            if name in names:
                result = True
            elif STAR in names:
                inner = first_branch(source.derived)
                found = [self.has_column(s, name) for s in self.sources(inner).values()]
                result = True if True in found else (None if None in found else False)
            else:
                result = False
        self._has_cache[key] = result
        return result

    def resolve(self, name: str, qualifier: str, scope: Scope | None) -> Source | None:
        """The relation a column reference belongs to, in this scope or an enclosing one."""
        name, qualifier = name.lower(), qualifier.lower()
        # The rules and rewrites resolve the same names in the same scopes many times over.
        # The scope is kept with the answer, so its id cannot be reused by another object.
        key = (name, qualifier, id(scope))
        known = self._resolved.get(key)
        if known is None or known[0] is not scope:
            known = self._resolved[key] = (scope, self._resolve(name, qualifier, scope))
        return known[1]

    def _resolve(self, name: str, qualifier: str, scope: Scope | None) -> Source | None:
        while scope is not None:
            sources = self.sources(scope)
            if qualifier:
                if qualifier in sources:
                    return sources[qualifier]
                # "schema.table.column" or a table name used instead of its alias
                for source in sources.values():
                    if source.is_base and (source.name.split(".")[-1] == qualifier or source.name == qualifier):
                        return source
            else:
                # Only the relations of this scope's FROM and JOINs: a CTE's scope also lists the
                # CTEs defined before it, which its unqualified columns cannot mean.
                answers = [(s, (name in by_name) if by_name is not None else self.has_column(s, name))
                           for s, by_name in self._candidates(scope)]
                yes = [s for s, a in answers if a]
                unknown = [s for s, a in answers if a is None]
                if len(yes) == 1 and not unknown:
                    return yes[0]
                if len(answers) == 1 and unknown:
                    return answers[0][0]
                if yes or unknown:
                    return None  # ambiguous, or the snapshot cannot tell
            scope = scope.parent
        return None

    def _candidates(self, scope: Scope) -> list[tuple[Source, dict[str, ColumnSnapshot] | None]]:
        """The relations an unqualified column of the scope may belong to, once per scope, each
        with its columns by lower-case name when it is a base table the snapshot lists under
        its own column names (``has_column`` is then whether the name is among them)."""
        known = self._candidate_cache.get(id(scope))
        if known is None or known[0] is not scope:
            selected = self._selected(scope)
            candidates = [
                (s, s.table.columns_by_name()
                 if s.kind == "table" and s.table and s.table.columns and not _renamed(s) else None)
                for s in self.sources(scope).values() if s.kind != "other" and s.alias in selected
            ]
            known = self._candidate_cache[id(scope)] = (scope, candidates)
        return known[1]

    def _selected(self, scope: Scope) -> set[str]:
        """Lower-case aliases of the relations a scope's FROM and JOINs name."""
        cached = self._selected_cache.get(id(scope))
        if cached is None:
            try:
                cached = {alias.lower() for alias in scope.selected_sources}
            except Exception:  # noqa: BLE001 - sqlglot cannot list them: every visible source
                cached = {alias.lower() for alias in scope.sources}
            self._selected_cache[id(scope)] = cached
        return cached

    def source_of(self, column: exp.Column) -> Source | None:
        """The relation of a column reference (None if it cannot be resolved)."""
        known = self._node_sources.get(id(column))
        if known is None or known[0] is not column:
            source = None if isinstance(column.this, exp.Star) else \
                self.resolve(column.name, column.table, self.scope_of(column))
            known = self._node_sources[id(column)] = (column, source)
        return known[1]

    def is_outer_reference(self, column: exp.Column, scope: Scope) -> bool:
        """True when the column belongs to a relation of an enclosing scope (correlation)."""
        source = self.source_of(column)
        return source is not None and source.scope is not scope and is_ancestor(source.scope, scope)

    def origin(self, column: exp.Column) -> ColumnOrigin | None:
        """The base-table column a reference reads, traced through CTEs and derived tables."""
        known = self._node_origins.get(id(column))
        if known is None or known[0] is not column:
            known = self._node_origins[id(column)] = (
                column, self._traced(column.name.lower(), column.table, self.scope_of(column)))
        return known[1]

    def origin_in(self, source: Source, name: str) -> ColumnOrigin | None:
        """The base-table column that column ``name`` of a relation reads (JOIN ... USING)."""
        return self._traced(name.lower(), source.alias, source.scope)

    def _traced(self, name: str, qualifier: str, scope: Scope | None) -> ColumnOrigin | None:
        # The rules ask for the same columns' origins many times: kept per (name, qualifier,
        # scope) as ``resolve`` keeps its answers, with the scope, so its id is not reused.
        key = (name, qualifier.lower(), id(scope))
        known = self._origins.get(key)
        if known is None or known[0] is not scope:
            known = self._origins[key] = (scope, self._origin(name, qualifier, scope, 0))
        return known[1]

    def _origin(self, name: str, qualifier: str, scope: Scope | None, depth: int) -> ColumnOrigin | None:
        if depth > 20:
            return None
        source = self.resolve(name, qualifier, scope)
        if source is None:
            return None
        if source.is_base:
            name = _base_name(source, name)
            if name is None:
                return None
            column = source.table.column(name) if source.table else None
            return ColumnOrigin(source, column.name if column else name, column)
        if source.derived is None:
            return None
        if source.derived.set_operation_scopes:
            return self._set_operation_origin(name, source.derived, depth)
        inner = source.derived
        select = inner.expression
        if not isinstance(select, exp.Select):
            return None
        columns = self.output_columns(source.derived)
        names = [c[0] for c in columns]
        if name in names:
            _, projection, inner_name, qualifier = columns[names.index(name)]
            if projection is None:  # brought in by a star
                return self._origin(inner_name, qualifier, inner, depth + 1)
            target = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(target, exp.Column) and not isinstance(target.this, exp.Star):
                return self._origin(target.name.lower(), target.table, inner, depth + 1)
            return None
        if STAR in names:
            return self._origin(name, "", inner, depth + 1)
        return None

    def definition(self, column: exp.Column) -> exp.Expression | None:
        """The expression a column of a CTE or derived table stands for, when that is not a
        plain column (``m`` of ``SELECT DATE_TRUNC('month', d) AS m``); None otherwise, or
        when the relation's LIMIT, set operation or aggregates keep a filter from reaching it."""
        name, qualifier, scope = column.name.lower(), column.table, self.scope_of(column)
        for _ in range(20):
            source = self.resolve(name, qualifier, scope)
            if source is None or source.derived is None or source.derived.set_operation_scopes:
                return None
            inner = source.derived
            select = inner.expression
            if not isinstance(select, exp.Select) or select.args.get("limit") or select.args.get("offset"):
                return None
            columns = self.output_columns(inner)
            names = [c[0] for c in columns]
            if name in names:
                _, projection, inner_name, star_qualifier = columns[names.index(name)]
                if projection is None:
                    name, qualifier, scope = inner_name, star_qualifier, inner
                    continue
                target = projection.this if isinstance(projection, exp.Alias) else projection
                if isinstance(target, exp.Column) and not isinstance(target.this, exp.Star):
                    name, qualifier, scope = target.name.lower(), target.table, inner
                    continue
                if any(isinstance(n, (exp.AggFunc, exp.Window)) for n in target.walk()):
                    return None
                return target
            if STAR not in names:
                return None
            qualifier, scope = "", inner
        return None

    def _set_operation_origin(self, name: str, derived: Scope, depth: int) -> ColumnOrigin | None:
        """A UNION's column: the first branch's origin, when every branch's column has the
        same type (a filter or a rewrite then means the same on each)."""
        names = self.output_names(derived)
        position = names.index(name) if name in names else None
        if position is None and STAR not in names:
            return None
        found: list[ColumnOrigin] = []
        for leaf in leaf_scopes(derived):
            select = leaf.expression
            if not isinstance(select, exp.Select):
                return None
            if position is not None:
                columns = self.output_columns(leaf)
                if position >= len(columns) or STAR in [c[0] for c in columns[: position + 1]]:
                    return None
                _, projection, inner_name, qualifier = columns[position]
                if projection is None:
                    origin = self._origin(inner_name, qualifier, leaf, depth + 1)
                else:
                    target = projection.this if isinstance(projection, exp.Alias) else projection
                    if not isinstance(target, exp.Column):
                        return None
                    origin = self._origin(target.name.lower(), target.table, leaf, depth + 1)
            else:
                origin = self._origin(name, "", leaf, depth + 1)
            if origin is None or origin.column is None:
                return None
            found.append(origin)
        types = {o.column.type.upper().replace(" ", "") for o in found}
        return found[0] if found and len(types) == 1 else None

    def lineage(self, column: exp.Column) -> set[tuple[Source, str]] | None:
        """Every base relation and column a filter on this column reaches when pushed down
        through CTEs, derived tables and each branch of a UNION; None when it cannot be
        pushed (a column computed by an aggregate or a window, or below a LIMIT)."""
        return self._lineage(column.name.lower(), column.table, self.scope_of(column), 0)

    def _lineage(self, name: str, qualifier: str, scope: Scope | None, depth: int):
        source = self.resolve(name, qualifier, scope) if depth <= 20 else None
        if source is None:
            return None
        if source.is_base:
            name = _base_name(source, name)
            return {(source, name)} if name is not None else None
        if source.derived is None:
            return None
        names = self.output_names(source.derived)
        position = names.index(name) if name in names else None
        if position is None and STAR not in names:
            return None
        found: set[tuple[Source, str]] = set()
        for leaf in leaf_scopes(source.derived):
            select = leaf.expression
            if not isinstance(select, exp.Select) or any(
                select.args.get(k) for k in ("limit", "offset", "fetch")
            ) or any(isinstance(n, exp.Window) for p in select.expressions for n in p.walk()):
                return None  # a filter cannot move below a LIMIT or a window function
            if position is None:
                part = self._lineage(name, "", leaf, depth + 1)
            else:
                columns = self.output_columns(leaf)
                if position >= len(columns) or STAR in [c[0] for c in columns[: position + 1]]:
                    return None
                _, projection, inner_name, star_qualifier = columns[position]
                if projection is None:
                    part = self._lineage(inner_name, star_qualifier, leaf, depth + 1)
                else:
                    target = projection.this if isinstance(projection, exp.Alias) else projection
                    if any(isinstance(n, (exp.AggFunc, exp.Window)) for n in target.walk()):
                        return None
                    part = set()
                    for inner in columns_outside_subqueries(target):
                        reached = self._lineage(inner.name.lower(), inner.table, leaf, depth + 1)
                        if reached is None:
                            return None
                        part |= reached
            if part is None:
                return None
            found |= part
        return found

    def column_type(self, column: exp.Column) -> str | None:
        """The snapshot type of the base column a reference reads, upper case."""
        origin = self.origin(column)
        return origin.column.type.upper() if origin and origin.column else None

    def referenced_sources(self, expression: exp.Expression, scope: Scope) -> set[Source] | None:
        """Relations of ``scope`` (or enclosing ones) the expression's own columns read.
        Columns inside nested subqueries are not counted. None if a column is unresolved."""
        found: set[Source] = set()
        column_scope = self._column_scope
        for column in columns_outside_subqueries(expression):
            if isinstance(column.this, exp.Star):
                continue
            if scope is not None and column_scope.get(id(column)) is scope:
                source = self.source_of(column)  # its own scope: the answer kept per node
            else:
                source = self.resolve(column.name, column.table, scope)
            if source is None:
                if not column.table and self._is_projection_alias(column.name, scope):
                    continue
                return None
            found.add(source)
        return found

    @staticmethod
    def _is_projection_alias(name: str, scope: Scope) -> bool:
        select = scope.expression
        return isinstance(select, exp.Select) and any(
            isinstance(e, exp.Alias) and e.alias.lower() == name.lower() for e in select.expressions
        )


def _renamed(source: Source) -> list[str]:
    """The column list of a table alias (``FROM sales AS s(a, b)``)."""
    alias = source.node.args.get("alias") if isinstance(source.node, exp.Table) else None
    return [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []


def _base_name(source: Source, name: str) -> str | None:
    """The table's own name for a column referenced through its alias (None when the alias's
    column list hides it, or renames a position the snapshot does not know)."""
    renamed = _renamed(source)
    if not renamed:
        return name
    known = [c.name.lower() for c in source.table.columns] if source.table and source.table.columns else None
    if name in renamed:
        position = renamed.index(name)
        return known[position] if known is not None and position < len(known) else None
    if known is not None and name in known[: len(renamed)]:
        return None
    return name


__all__ = ["ColumnOrigin", "ColumnResolution"]
