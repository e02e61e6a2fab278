"""One statement as a model: its scopes, its relations resolved against the schema
snapshot, its columns traced to base tables (lineage), and its original text.

Resolution follows SQL's own rules: a qualified column belongs to the relation of that alias
in its scope or an enclosing one (correlation); an unqualified column belongs to the one
relation of the scope that has it (by the snapshot, or by the names a CTE or derived table
projects). Where the snapshot cannot tell, resolution gives up (None) and callers stay silent.
Names compare case-insensitively, as Redshift's identifiers do by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Callable, Iterator, TypeVar

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from redshift_optimizer.models.lake import ColumnSnapshot, SchemaSnapshot, TableSnapshot
from redshift_optimizer.sql.normalize import normalize
from redshift_optimizer.sql.positions import SourceText
from redshift_optimizer.sql.trees import columns_outside_subqueries, conjuncts, is_star

STAR = "*"


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


class Query:
    """A parsed statement, normalized (see ``normalize``), with its scopes and the readers
    of its relations and columns. ``sql`` is the text it was parsed from ("" for a tree built
    in code: positions are then unknown)."""

    def __init__(self, sql: str, statement: exp.Expression, snapshot: SchemaSnapshot | None = None):
        self.sql = sql
        self.text = SourceText(sql)
        self.snapshot = snapshot
        #: The statement as parsed; ``statement`` is what the rules read (for UPDATE, DELETE
        #: and MERGE, an equivalent SELECT over the same relations and predicates; for UNLOAD,
        #: EXPLAIN and PREPARE, the query they carry).
        self.original = statement
        self.statement = normalize(sql, statement)
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
        self._has_cache: dict[tuple[int, str], bool | None] = {}
        self._output_cache: dict[int, list] = {}
        self._selected_cache: dict[int, set[str]] = {}
        self._derived: dict[tuple, tuple[tuple, object]] = {}  # see per_query
        self._resolved: dict[tuple[str, str, int], tuple[Scope | None, Source | None]] = {}
        self._origins: dict[tuple[str, str, int], tuple[Scope | None, ColumnOrigin | None]] = {}

    # ----------------------------------------------------------------- scopes and sources

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
        for alias, value in scope.sources.items():
            key = alias.lower()
            if isinstance(value, Scope):
                result[key] = Source(key, scope, value.expression, derived=value,
                                     name=alias, kind="derived")
            elif isinstance(value, exp.Table):
                if self._is_navigation(value, scope) or not value.name:  # TABLE(fn(...)), navigation
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
    def _is_navigation(table: exp.Table, scope: Scope) -> bool:
        # Redshift SUPER navigation ("FROM t, t.items i") reads a column, not a table.
        db = (table.db or "").lower()
        return bool(db) and db in {a.lower() for a in scope.sources if a.lower() != table.alias_or_name.lower()}

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

    # ------------------------------------------------------------------ column resolution

    def output_names(self, scope: Scope) -> list[str]:
        """Names a CTE or derived table projects (``*`` where it projects a star whose
        columns cannot be listed)."""
        return [column[0] for column in self.output_columns(scope)]

    def output_columns(self, scope: Scope, depth: int = 0) -> list[tuple[str, exp.Expression | None, str, str]]:
        """What a CTE or derived table projects, in order: ``(name, projection, "", "")`` for a
        projection, ``(name, None, inner name, star qualifier)`` for each column a star brings
        in when the snapshot or the inner names list them, ``(STAR, projection, "", "")`` for a
        star that cannot be listed. A column list on the alias (``t(a, b)``) renames them."""
        cached = self._output_cache.get(id(scope))
        if cached is not None:
            return cached
        branch = self._branch(scope)
        expression = branch.expression
        if not isinstance(expression, exp.Select):
            return []
        columns: list[tuple[str, exp.Expression | None, str, str]] = []
        for projection in expression.expressions:
            if not is_star(projection):
                columns.append((projection.alias_or_name.lower(), projection, "", ""))
                continue
            expanded = self._star_columns(branch, projection, depth) if depth < 20 else None
            if expanded is None:
                columns.append((STAR, projection, "", ""))
            else:
                columns.extend((name, None, name, qualifier) for name, qualifier in expanded)
        parent = scope.expression.parent
        alias = parent.args.get("alias") if parent is not None else None
        renamed = [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        names = [c[0] for c in columns]
        if renamed and STAR not in names[: len(renamed)]:
            columns = [
                (new, *rest) for new, (_, *rest) in zip(renamed, columns)
            ] + columns[len(renamed):]
        self._output_cache[id(scope)] = columns
        return columns

    def _star_columns(self, scope: Scope, star: exp.Expression, depth: int) -> list[tuple[str, str]] | None:
        """(column, relation alias) for every column a star expands to, in order; None
        when a relation's columns are unknown."""
        sources = self.sources(scope)
        if isinstance(star, exp.Column) and star.table:
            source = sources.get(star.table.lower())
            targets = [source] if source else []
        else:
            targets = [s for s, _ in self.joined_sources(scope)]
        if not targets:
            return None
        found: list[tuple[str, str]] = []
        for source in targets:
            if source.is_base and source.table and source.table.columns:
                found += [(c.name.lower(), source.alias) for c in source.table.columns]
            elif source.derived is not None:
                names = [c[0] for c in self.output_columns(source.derived, depth + 1)]
                if not names or STAR in names:
                    return None
                found += [(name, source.alias) for name in names]
            else:
                return None
        return found

    def _branch(self, scope: Scope) -> Scope:
        while scope.set_operation_scopes:
            scope = scope.set_operation_scopes[0]
        return scope

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
                inner = self._branch(source.derived)
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
                selected = self._selected(scope)
                answers = [(s, self.has_column(s, name)) for s in sources.values()
                           if s.kind != "other" and s.alias in selected]
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
        if isinstance(column.this, exp.Star):
            return None
        return self.resolve(column.name, column.table, self.scope_of(column))

    def is_outer_reference(self, column: exp.Column, scope: Scope) -> bool:
        """True when the column belongs to a relation of an enclosing scope (correlation)."""
        source = self.source_of(column)
        return source is not None and source.scope is not scope and is_ancestor(source.scope, scope)

    def origin(self, column: exp.Column) -> ColumnOrigin | None:
        """The base-table column a reference reads, traced through CTEs and derived tables."""
        return self._traced(column.name.lower(), column.table, self.scope_of(column))

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
        for leaf in _leaf_scopes(derived):
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
        for leaf in _leaf_scopes(source.derived):
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
        for column in columns_outside_subqueries(expression):
            if isinstance(column.this, exp.Star):
                continue
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

    # ------------------------------------------------------------------------- predicates

    def where_conjuncts(self, scope: Scope) -> list[exp.Expression]:
        where = scope.expression.args.get("where") if isinstance(scope.expression, exp.Select) else None
        return conjuncts(where.this) if where is not None else []

    def join_conjuncts(self, scope: Scope) -> list[tuple[exp.Join, exp.Expression]]:
        select = scope.expression
        if not isinstance(select, exp.Select):
            return []
        return [
            (join, part)
            for join in select.args.get("joins") or []
            if join.args.get("on") is not None
            for part in conjuncts(join.args["on"])
        ]

    def filter_predicates(self, scope: Scope) -> list[exp.Expression]:
        """WHERE conjuncts and JOIN ... ON conjuncts of a SELECT scope."""
        return self.where_conjuncts(scope) + [p for _, p in self.join_conjuncts(scope)]

    @cached_property
    def cte_scopes(self) -> list[Scope]:
        return [s for s in self.scopes if s.scope_type == ScopeType.CTE]


_Derived = TypeVar("_Derived")


def per_query(function: Callable[..., _Derived]) -> Callable[..., _Derived]:
    """Compute ``function(query, *nodes)`` once per query: several rules and rewrites ask for
    the same derived view of a statement (a scope's join graph, the restriction of every
    scan), and each used to rebuild it. ``nodes`` (scopes, expressions) are keyed by identity
    and kept with the result, so an id cannot be reused by another object. The result is
    shared: callers must only read it. ``query`` is a Query or anything that reads as one
    (the rules' context), sharing its cache."""

    @wraps(function)
    def cached(query: "Query", *nodes: object) -> _Derived:
        key = (function, *map(id, nodes))
        known = query._derived.get(key)
        if known is None or any(a is not b for a, b in zip(known[0], nodes)):
            known = query._derived[key] = (nodes, function(query, *nodes))
        return known[1]

    return cached


@per_query
def cached_columns(query: "Query", expression: exp.Expression) -> tuple[exp.Column, ...]:
    """``columns_outside_subqueries`` of a node of the query, walked once per query (rules
    that ask for the same predicates' columns many times read this; the node must not change)."""
    return tuple(columns_outside_subqueries(expression))


def lookup_table(snapshot: SchemaSnapshot, written: str) -> TableSnapshot | None:
    """The snapshot table a name in the query reads. A bare name that several schemas hold is
    the one in ``public``, as Redshift's default search_path ('$user', public) resolves it."""
    table = snapshot.table(written)
    if table is None and "." not in written:
        table = snapshot.table(f"public.{written}")
    return table


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


def _leaf_scopes(scope: Scope) -> list[Scope]:
    if not scope.set_operation_scopes:
        return [scope]
    return [leaf for branch in scope.set_operation_scopes for leaf in _leaf_scopes(branch)]


def is_ancestor(ancestor: Scope, scope: Scope) -> bool:
    """True when ``scope`` is nested (at any depth) in ``ancestor``."""
    parent = scope.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


# ------------------------------------------------------------------------------ stars


def output_scopes(scope: Scope) -> list[Scope]:
    """The SELECTs whose rows are the scope's output (each branch of a set operation)."""
    if scope.set_operation_scopes:
        return [s for branch in scope.set_operation_scopes for s in output_scopes(branch)]
    return [scope] if isinstance(scope.expression, exp.Select) else []


def star_targets(query: Query, scope: Scope, star: exp.Expression) -> list[Source]:
    """The relations a star projection expands over."""
    sources = query.sources(scope)
    if isinstance(star, exp.Column) and star.table:
        source = sources.get(star.table.lower())
        return [source] if source else []
    return [s for s, _ in query.joined_sources(scope) if s.kind != "other"]


def base_tables_behind(query: Query, source: Source, depth: int = 0) -> Iterator[Source]:
    """Base tables whose every column reaches the output through stars."""
    if source.is_base:
        yield source
        return
    if source.derived is None or depth > 20:
        return
    for branch in output_scopes(source.derived):
        for projection in branch.expression.expressions:
            if is_star(projection):
                for target in star_targets(query, branch, projection):
                    yield from base_tables_behind(query, target, depth + 1)


__all__ = [
    "STAR",
    "ColumnOrigin",
    "Query",
    "Source",
    "base_tables_behind",
    "is_ancestor",
    "lookup_table",
    "output_scopes",
    "cached_columns",
    "per_query",
    "star_targets",
]
