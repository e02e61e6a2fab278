"""How the relations of one SELECT are linked: equality joins, other join predicates, and
per-relation filters. Shared by the join rules (Q002, Q011, Q015, Q019), the scan rules
(Q009, Q010) and the explicit-join rewrite."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.rules.query_context import (
    QueryContext,
    Source,
    columns_outside_subqueries,
    conjuncts,
    disjuncts,
)

Pair = frozenset  # frozenset[Source] of two relations

_EQUALITIES = (exp.EQ, exp.NullSafeEQ)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.NullSafeEQ,
                exp.NullSafeNEQ, exp.Like, exp.ILike, exp.In)


@dataclass
class JoinGraph:
    """The relations of a SELECT and what links them."""

    scope: Scope
    order: list[tuple[Source, exp.Join | None]]
    equi: dict[Pair, list[exp.Expression]] = field(default_factory=dict)
    other: dict[Pair, list[exp.Expression]] = field(default_factory=dict)
    unresolved: list[exp.Expression] = field(default_factory=list)
    filters: dict[Source, list[exp.Expression]] = field(default_factory=dict)

    @property
    def sources(self) -> list[Source]:
        return [s for s, _ in self.order]

    def linked(self, a: Source, b: Source, equality_only: bool = False) -> bool:
        pair = frozenset((a, b))
        return pair in self.equi or (not equality_only and pair in self.other)

    def components(self, equality_only: bool = False) -> list[set[Source]]:
        """Groups of relations connected by join predicates."""
        parent = {s: s for s in self.sources}

        def find(s: Source) -> Source:
            while parent[s] is not s:
                parent[s] = parent[parent[s]]
                s = parent[s]
            return s

        edges = list(self.equi) + ([] if equality_only else list(self.other))
        for pair in edges:
            a, b = tuple(pair)
            if a in parent and b in parent:
                parent[find(a)] = find(b)
        groups: dict[Source, set[Source]] = {}
        for s in self.sources:
            groups.setdefault(find(s), set()).add(s)
        return list(groups.values())


def _sides(ctx: QueryContext, predicate: exp.Expression, scope: Scope, local: set[Source]):
    left = ctx.referenced_sources(predicate.this, scope) if predicate.this is not None else set()
    right = ctx.referenced_sources(predicate.expression, scope) if predicate.expression is not None else set()
    if left is None or right is None:
        return None
    return left & local, right & local


def _edges(ctx: QueryContext, predicate: exp.Expression, scope: Scope, local: set[Source]):
    """(equality pairs, other pairs) a predicate creates between local relations; None if
    a column cannot be resolved."""
    predicate = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if isinstance(predicate, exp.Or):
        branches = [
            _conjunction_edges(ctx, conjuncts(branch), scope, local) for branch in disjuncts(predicate)
        ]
        if any(b is None for b in branches):
            return None
        equi = set.intersection(*(b[0] for b in branches))
        every = set().union(*(b[0] | b[1] for b in branches))
        return equi, every - equi
    refs = ctx.referenced_sources(predicate, scope)
    if refs is None:
        return None
    refs &= local
    if len(refs) < 2:
        return set(), set()
    if isinstance(predicate, _EQUALITIES):
        sides = _sides(ctx, predicate, scope, local)
        if sides is None:
            return None
        left, right = sides
        if left and right and not (left & right):
            return {frozenset(p) for p in product(left, right)}, set()
    pairs = {frozenset((a, b)) for a in refs for b in refs if a is not b}
    return set(), pairs


def _conjunction_edges(ctx, parts, scope, local):
    equi: set = set()
    other: set = set()
    for part in parts:
        found = _edges(ctx, part, scope, local)
        if found is None:
            return None
        equi |= found[0]
        other |= found[1]
    return equi, other - equi


def join_graph(ctx: QueryContext, scope: Scope) -> JoinGraph:
    """The join graph of a SELECT scope (WHERE and ON predicates both count)."""
    graph = JoinGraph(scope, ctx.joined_sources(scope))
    local = set(graph.sources)
    predicates = [(None, p) for p in ctx.where_conjuncts(scope)] + [
        (join, p) for join, p in ctx.join_conjuncts(scope)
    ]
    for _, predicate in predicates:
        found = _edges(ctx, predicate, scope, local)
        if found is None:
            graph.unresolved.append(predicate)
            continue
        for pair in found[0]:
            graph.equi.setdefault(pair, []).append(predicate)
        for pair in found[1]:
            graph.other.setdefault(pair, []).append(predicate)
        for source in _filtered_sources(ctx, predicate, scope, local):
            graph.filters.setdefault(source, []).append(predicate)
    # JOIN ... USING (col): an equality with an earlier relation that has the column.
    for index, (source, join) in enumerate(graph.order):
        if join is None or not join.args.get("using"):
            continue
        for ident in join.args["using"]:
            name = ident.name.lower()
            earlier = [s for s, _ in graph.order[:index] if ctx.has_column(s, name) is not False]
            for other_source in earlier[:1] if len(earlier) != 1 else earlier:
                graph.equi.setdefault(frozenset((source, other_source)), []).append(join)
    return graph


def _filtered_sources(ctx: QueryContext, predicate: exp.Expression, scope: Scope, local: set[Source]) -> set[Source]:
    """Relations a predicate restricts on its own (one local relation, constants or
    subqueries on the other side), including EXISTS/IN subqueries correlated to one."""
    if isinstance(predicate, exp.Boolean):
        return set()
    refs = ctx.referenced_sources(predicate, scope)
    if refs is None:
        return set()
    own = refs & local
    if len(own) == 1:
        return own
    if own:
        return set()
    # EXISTS (SELECT ... WHERE inner.k = outer.k): restricts the outer relation.
    found: set[Source] = set()
    for column in predicate.find_all(exp.Column):
        source = ctx.source_of(column)
        if source in local:
            found.add(source)
    return found if len(found) == 1 else set()


def single_row(source: Source) -> bool:
    """A derived relation that returns at most one row (aggregate without GROUP BY, LIMIT 1)."""
    if source.derived is None or not isinstance(source.derived.expression, exp.Select):
        return False
    select = source.derived.expression
    limit = select.args.get("limit")
    if limit is not None and isinstance(limit.expression, exp.Literal) and limit.expression.this == "1":
        return True
    if select.args.get("group"):
        return False
    return bool(select.expressions) and all(
        any(isinstance(n, exp.AggFunc) for n in e.walk()) for e in select.expressions
    )


def own_columns(expression: exp.Expression) -> list[exp.Column]:
    return list(columns_outside_subqueries(expression))


__all__ = ["JoinGraph", "join_graph", "own_columns", "single_row"]
