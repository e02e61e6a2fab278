"""Which base-table reads a statement restricts, and on which columns (the scan analysis),
and which sources provably return one row. Built on the join graph of each scope
(:mod:`redshift_optimizer.sql.joins`); read by the scan rules and the workload statistics."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.sql.cache import per_query
from redshift_optimizer.sql.joins import JoinGraph, constant_filter_columns, join_graph
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.scopes import Source, leaf_scopes
from redshift_optimizer.sql.trees import columns_outside_subqueries

def single_row(source: Source) -> bool:
    """A derived relation that returns at most one row (aggregate without GROUP BY, LIMIT 1,
    or a plain SELECT over one such relation: ``SELECT CASE ... FROM pct`` where pct is an
    aggregate)."""
    return source.derived is not None and _one_row_scope(source.derived, 0)


def _one_row_scope(scope, depth: int) -> bool:
    select = scope.expression
    if not isinstance(select, exp.Select) or depth > 20:
        return False
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None and not select.args.get("joins"):
        return True  # SELECT 1, SELECT CURRENT_DATE AS d ...
    limit = select.args.get("limit")
    if limit is not None and isinstance(limit.expression, exp.Literal) and limit.expression.this == "1":
        return True
    if select.args.get("group"):
        return False
    if select.expressions and all(any(isinstance(n, exp.AggFunc) and not isinstance(n.parent, exp.Window)
                                      for n in e.walk()) for e in select.expressions):
        return True  # an aggregate without GROUP BY (a window function keeps every row)
    # One row in, one row out: a SELECT without GROUP BY over relations that are each one row.
    relations = [from_.this] + [j.this for j in select.args.get("joins") or []] if from_ is not None else []
    if not relations:
        return False
    for relation in relations:
        inner = scope.sources.get(relation.alias_or_name) if isinstance(relation, (exp.Table, exp.Subquery)) else None
        if not isinstance(inner, Scope) or not _one_row_scope(inner, depth + 1):
            return False
    return True


def own_columns(expression: exp.Expression) -> list[exp.Column]:
    return list(columns_outside_subqueries(expression))




@dataclass
class ScanAnalysis:
    """Which base-table reads are restricted, and on which of their columns they are filtered."""

    restricted: set[Source] = field(default_factory=set)
    graphs: dict[int, JoinGraph] = field(default_factory=dict)  # by id(scope)
    filter_columns: dict[Source, set[str]] = field(default_factory=dict)
    filter_predicates: dict[Source, list[exp.Expression]] = field(default_factory=dict)


def _flows(graph: JoinGraph) -> list[tuple[Source, Source]]:
    """Directed (from, to) restriction flows along join predicates: both ways for inner
    joins, from the preserved side only for outer joins. A WHERE predicate that rejects the
    NULL rows of a null-supplying side makes the join inner on that side."""
    side = {s: ((j.args.get("side") or "").upper() if j is not None else "") for s, j in graph.order}
    position = {s: i for i, s in enumerate(graph.sources)}
    flows = []
    for pair in {*graph.equi, *graph.other}:  # a range join to a filtered relation restricts too
        if len(pair) != 2:
            continue
        a, b = sorted(pair, key=lambda s: position.get(s, 0))
        later_side = side.get(b, "")
        nullable = {"LEFT": {b}, "RIGHT": {a}, "FULL": {a, b}}.get(later_side, set()) | (set(pair) & graph.marked)
        nullable -= graph.where_filtered
        if a not in nullable:
            flows.append((a, b))
        if b not in nullable:
            flows.append((b, a))
    return flows


def _trace(query: Query, derived: Source, predicate: exp.Expression,
           only: set[int] | None = None) -> set[tuple[Source, str]]:
    """Base relations (inside a derived relation) and columns a parent predicate reaches when
    pushed down; nothing for columns computed by aggregates or windows, which it cannot pass.
    ``only``: the ids of the columns to trace (default: every column of the relation)."""
    found = set()
    for column in columns_outside_subqueries(predicate):
        if only is not None and id(column) not in only:
            continue
        if query.source_of(column) is derived:
            found |= query.lineage(column) or set()
    return found


@per_query
def scan_analysis(query: Query) -> ScanAnalysis:
    """Restriction of every base-table read: own filters, filters pushed into CTEs and derived
    tables, and restriction carried by equality joins (transitively)."""
    result = ScanAnalysis()
    graphs = {id(scope): join_graph(query, scope) for scope in query.select_scopes()}
    result.graphs = graphs
    self_restricted: dict[int, bool] = {}

    def note_filter(source: Source, column: str, predicate: exp.Expression) -> None:
        result.filter_columns.setdefault(source, set()).add(column)
        result.filter_predicates.setdefault(source, []).append(predicate)

    def propagate(graph: JoinGraph, seeds: set[Source]) -> set[Source]:
        restricted = set(seeds)
        flows = _flows(graph)
        changed = True
        while changed:
            changed = False
            for a, b in flows:
                if a in restricted and b not in restricted:
                    restricted.add(b)
                    changed = True
        return restricted

    # Bottom-up: what each scope restricts by itself.
    local: dict[int, set[Source]] = {}
    for scope in query.scopes:
        graph = graphs.get(id(scope))
        if graph is None:
            self_restricted[id(scope)] = any(self_restricted.get(id(s), False) for s in scope.set_operation_scopes) \
                if scope.set_operation_scopes else False
            continue
        seeds = set(graph.filters)
        select = scope.expression
        if select.args.get("limit") and not (
            select.args.get("group") or select.args.get("order") or select.args.get("distinct")
            or any(isinstance(n, exp.AggFunc) for p in select.expressions for n in p.walk())
        ):
            seeds |= set(graph.sources)  # a plain LIMIT stops the scan early
        for source in graph.sources:
            if source.derived is not None and self_restricted.get(id(source.derived), False):
                seeds.add(source)
            for predicate in graph.filters.get(source, []):
                if source.is_base:
                    for column in constant_filter_columns(query, predicate, source):
                        origin = query.origin(column)  # the table's own name (s(a, b) renames)
                        note_filter(source, (origin.name if origin else column.name).lower(), predicate)
        restricted = propagate(graph, seeds)
        local[id(scope)] = restricted
        select = scope.expression
        self_restricted[id(scope)] = bool(restricted) or bool(select.args.get("limit"))

    # Top-down: restriction of a derived relation flows into the relations it reads, and
    # restriction of an outer relation into the subquery relations correlated to it.
    for scope in reversed(query.scopes):
        graph = graphs.get(id(scope))
        if graph is None:
            continue
        tied = {source for source, links in graph.correlated.items()
                if any(o in local.get(id(o.scope), set()) for _, outer in links for o in outer)}
        if tied - local.get(id(scope), set()):
            local[id(scope)] = propagate(graph, local.get(id(scope), set()) | tied)
        restricted = local.get(id(scope), set())
        for source in graph.sources:
            if source.derived is None or source not in restricted:
                continue
            traced: set[tuple[Source, str]] = set()
            for predicate in graph.filters.get(source, []):
                constant = {id(c) for c in constant_filter_columns(query, predicate, source)}
                for base, column in _trace(query, source, predicate):
                    traced.add((base, column))
                for base, column in _trace(query, source, predicate, only=constant):
                    if base.is_base:
                        note_filter(base, column, predicate)
            for pair in graph.equi:
                if source in pair:
                    for predicate in graph.equi[pair]:
                        traced |= _trace(query, source, predicate)
            for inner in leaf_scopes(source.derived):
                inner_graph = graphs.get(id(inner))
                if inner_graph is None:
                    continue
                seeds = {b for b, _ in traced if b in inner_graph.sources}
                if not seeds and not graph.filters.get(source):
                    # Restricted by a LIMIT or a join whose key we cannot follow: assume the
                    # restriction reaches its relations. A filter that cannot be pushed down
                    # (on an aggregate, a window) does not.
                    seeds = set(inner_graph.sources)
                local[id(inner)] = propagate(inner_graph, local.get(id(inner), set()) | seeds)
    for scope in query.scopes:
        result.restricted |= local.get(id(scope), set())
    return result


__all__ = ["ScanAnalysis", "own_columns", "scan_analysis", "single_row"]
