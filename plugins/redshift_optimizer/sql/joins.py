"""How the relations of one SELECT are linked: the join graph (equality joins, other join
predicates, per-relation filters, outer-join sides). Read by the join rules, the workload's
join statistics, the rewrites and the scan analysis (:mod:`redshift_optimizer.sql.scans`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from redshift_optimizer.sql import DIALECT
from redshift_optimizer.sql.cache import cached_columns, per_query
from redshift_optimizer.sql.query import Query
from redshift_optimizer.sql.scopes import Source
from redshift_optimizer.sql.trees import columns_outside_subqueries, conjuncts, disjuncts

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
    #: Predicates tying a relation to a relation of an enclosing query (correlation):
    #: source -> [(predicate, the outer relations)]. They restrict it only as far as the
    #: outer relations are restricted, and are joins, not filters on its columns.
    correlated: dict[Source, list[tuple[exp.Expression, set[Source]]]] = field(default_factory=dict)
    #: Relations a WHERE predicate rejects NULL rows of (an outer join to them acts as inner).
    where_filtered: set[Source] = field(default_factory=set)
    #: Relations outer-joined with the (+) marker in WHERE: the NULL-supplying side.
    marked: set[Source] = field(default_factory=set)

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


@per_query
def _referenced_once(query: Query, expression: exp.Expression, scope: Scope) -> frozenset[Source] | None:
    found = query.referenced_sources(expression, scope)
    return None if found is None else frozenset(found)


def _referenced(query: Query, expression: exp.Expression, scope: Scope) -> set[Source] | None:
    """``query.referenced_sources``, walked once per node and scope while the join graph is
    built (each predicate is read for its edges, sides, filters and correlation); a new set."""
    found = _referenced_once(query, expression, scope)
    return None if found is None else set(found)


def _sides(query: Query, left_node, right_node, scope: Scope, local: set[Source]):
    left = _referenced(query, left_node, scope) if left_node is not None else set()
    right = _referenced(query, right_node, scope) if right_node is not None else set()
    if left is None or right is None:
        return None
    return left & local, right & local


def _key(left_node: exp.Expression, right_node: exp.Expression) -> str:
    sides = sorted(side.sql(dialect=DIALECT).lower() for side in (left_node, right_node))
    return " = ".join(sides)


def _equality_sides(predicate: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """The two sides of ``a = b``, ``a <=> b`` or ``a IN (b)`` (one element: an equality)."""
    if isinstance(predicate, _EQUALITIES):
        return predicate.this, predicate.expression
    if isinstance(predicate, exp.In) and predicate.args.get("query") is None and len(predicate.expressions) == 1 \
            and not predicate.args.get("unnest"):
        return predicate.this, predicate.expressions[0]
    return None


def _edges(query: Query, predicate: exp.Expression, scope: Scope, local: set[Source], keyed: bool = False):
    """(equalities as (pair, key), other pairs) a predicate creates between local relations;
    None if a column cannot be resolved. An OR keeps only the equalities every branch has.
    The key (the equality's text) is only needed to match equalities across OR branches:
    it is None unless ``keyed``."""
    predicate = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if isinstance(predicate, exp.Or):
        branches = [
            _conjunction_edges(query, conjuncts(branch), scope, local) for branch in disjuncts(predicate)
        ]
        if any(b is None for b in branches):
            return None
        equi = set.intersection(*(b[0] for b in branches))
        pairs = {pair for pair, _ in equi}
        every = set().union(*({p for p, _ in b[0]} | b[1] for b in branches))
        return equi, every - pairs
    refs = _referenced(query, predicate, scope)
    if refs is None:
        return None
    refs &= local
    if len(refs) < 2:
        return set(), set()
    equality = _equality_sides(predicate)
    if equality is not None:
        sides = _sides(query, *equality, scope, local)
        if sides is None:
            return None
        left, right = sides
        if left and right and not (left & right):
            key = _key(*equality) if keyed else None
            return {(frozenset(p), key) for p in product(left, right)}, set()
    pairs = {frozenset((a, b)) for a in refs for b in refs if a is not b}
    return set(), pairs


def _conjunction_edges(query, parts, scope, local):
    equi: set = set()
    other: set = set()
    for part in parts:
        found = _edges(query, part, scope, local, keyed=True)
        if found is None:
            return None
        equi |= found[0]
        other |= found[1]
    return equi, other - {pair for pair, _ in equi}


@per_query
def join_graph(query: Query, scope: Scope) -> JoinGraph:
    """The join graph of a SELECT scope (WHERE and ON predicates both count)."""
    graph = JoinGraph(scope, query.joined_sources(scope))
    local = set(graph.sources)
    predicates = [(None, p) for p in query.where_conjuncts(scope)] + [
        (join, p) for join, p in query.join_conjuncts(scope)
    ]
    on_join = {id(p): join for join, p in predicates if join is not None}
    for _, predicate in predicates:
        found = _edges(query, predicate, scope, local)
        if found is None:
            graph.unresolved.append(predicate)
            continue
        for pair, _ in found[0]:
            if not any(p is predicate for p in graph.equi.get(pair, [])):
                graph.equi.setdefault(pair, []).append(predicate)
        for pair in found[1]:
            graph.other.setdefault(pair, []).append(predicate)
        marks = {query.source_of(c) for c in cached_columns(query, predicate) if c.args.get("join_mark")}
        graph.marked |= {m for m in marks if m in local}
        restricted = _filtered_sources(query, predicate, scope, local)
        join = on_join.get(id(predicate))
        if join is not None:
            restricted &= _restrictable_by_on(graph, join)
        outer = _correlation(query, predicate, scope, local)
        if join is None and _anti_join_test(query, graph, predicate):
            continue  # "WHERE r.key IS NULL" after a LEFT JOIN keeps the unmatched rows: an anti-join
        for source in restricted:
            if source in outer:
                graph.correlated.setdefault(source, []).append((predicate, outer[source]))
            else:
                graph.filters.setdefault(source, []).append(predicate)
                if join is None and not marks and _null_rejecting(predicate):
                    graph.where_filtered.add(source)
    # JOIN ... USING (col), NATURAL JOIN: an equality with an earlier relation that has the column.
    for index, (source, join) in enumerate(graph.order):
        if join is None:
            continue
        for name in using_columns(query, graph, index):
            earlier = [s for s, _ in graph.order[:index] if query.has_column(s, name) is not False]
            for other_source in earlier[:1] if len(earlier) != 1 else earlier:
                if other_source is not source:  # an alias written twice names one relation
                    graph.equi.setdefault(frozenset((source, other_source)), []).append(join)
    return graph


def null_supplying(graph: "JoinGraph") -> set[Source]:
    """Relations whose columns an outer join may fill with NULLs (the (+) marker too)."""
    nullable: set[Source] = set(graph.marked)
    for index, (source, join) in enumerate(graph.order):
        side = (join.args.get("side") or "").upper() if join is not None else ""
        if side == "LEFT":
            nullable.add(source)
        elif side == "RIGHT":
            nullable |= {s for s, _ in graph.order[:index]}
        elif side == "FULL":
            nullable |= {s for s, _ in graph.order[: index + 1]}
    return nullable


def _anti_join_test(query: Query, graph: "JoinGraph", predicate: exp.Expression) -> bool:
    """``col IS NULL`` on a column of the NULL-supplying side of an outer join."""
    node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if not (isinstance(node, exp.Is) and isinstance(node.expression, exp.Null) and isinstance(node.this, exp.Column)):
        return False
    return query.source_of(node.this) in null_supplying(graph)


def constant_filter_columns(query: Query, predicate: exp.Expression, source: Source) -> list[exp.Column]:
    """The columns of ``source`` a predicate compares with constants (or an uncorrelated
    value): not join columns compared with another relation's columns, and not the left side
    of ``IN (SELECT ...)`` or EXISTS, which are semi-joins."""
    found: list[exp.Column] = []
    stack = [predicate]
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.And, exp.Or, exp.Not, exp.Paren)):
            stack.extend(node.iter_expressions())
            continue
        if isinstance(node, exp.Exists) or (isinstance(node, exp.In) and node.args.get("query") is not None):
            continue
        columns = list(columns_outside_subqueries(node))
        own = [c for c in columns if query.source_of(c) is source]
        if own and len(own) == len(columns) and not _correlated_to(query, node, source):
            found += own
    return found


def _correlated_to(query: Query, node: exp.Expression, source: Source) -> bool:
    """A subquery in the predicate reads a column of a relation of ``source``'s query:
    ``ps_supplycost = (SELECT MIN(...) WHERE p_partkey = ps_partkey)`` is a join to the grouped
    aggregate, not a filter on ps_supplycost."""
    for column in node.find_all(exp.Column):
        parent, nested = column.parent, False
        while parent is not None and parent is not node:
            nested = nested or isinstance(parent, (exp.Subquery, exp.Query))
            parent = parent.parent
        if nested:
            found = query.source_of(column)
            if found is not None and found.scope is source.scope:
                return True  # correlated to this query's relations: a join to the aggregate
    return False


def using_columns(query: Query, graph: "JoinGraph", index: int) -> list[str]:
    """The columns a JOIN ... USING names, or that a NATURAL JOIN shares with the relations
    before it (known only where the snapshot lists the columns)."""
    source, join = graph.order[index]
    if join is None:
        return []
    if join.args.get("using"):
        return [ident.name.lower() for ident in join.args["using"]]
    if (join.args.get("method") or "").upper() != "NATURAL" or not (source.table and source.table.columns):
        return []
    earlier = [s for s, _ in graph.order[:index]]
    return [c.name.lower() for c in source.table.columns
            if any(query.has_column(s, c.name.lower()) for s in earlier)]


_NULL_TOLERANT = tuple(
    getattr(exp, name) for name in ("Is", "Coalesce", "Case", "If", "Or", "Nvl2", "Greatest", "Least")
    if hasattr(exp, name)
)


def _restrictable_by_on(graph: JoinGraph, join: exp.Join) -> set[Source]:
    """Relations an ON predicate of this join can restrict: an outer join keeps every row of
    its preserved side whatever its ON condition says."""
    side = (join.args.get("side") or "").upper()
    position = next((i for i, (_, j) in enumerate(graph.order) if j is join), None)
    if position is None or not side:
        return set(graph.sources)
    joined = graph.order[position][0]
    if side == "LEFT":
        return {joined}
    if side == "RIGHT":
        return {s for s, _ in graph.order[:position]}
    return set()  # FULL


def _correlation(query: Query, predicate: exp.Expression, scope: Scope, local: set[Source]) -> dict:
    """{local relation: the outer relations} when the predicate ties one relation of this
    scope to relations of an enclosing one (``s.customer_id = c.customer_id`` in a subquery)."""
    refs = _referenced(query, predicate, scope)
    if not refs:
        return {}
    own, outer = refs & local, refs - local
    if len(own) != 1 or not outer:
        return {}
    return {next(iter(own)): outer}


def _null_rejecting(predicate: exp.Expression) -> bool:
    """A WHERE predicate false or unknown on a NULL-extended row: a plain comparison, or
    IS NOT NULL (not IS NULL, COALESCE, CASE or an OR, which can keep such rows)."""
    node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is) and isinstance(node.this.expression, exp.Null):
        return True
    if not isinstance(node, _COMPARISONS):
        return False
    return not any(isinstance(n, _NULL_TOLERANT) for n in node.walk())


def _filtered_sources(query: Query, predicate: exp.Expression, scope: Scope, local: set[Source]) -> set[Source]:
    """Relations a predicate restricts on its own (one local relation, constants or
    subqueries on the other side), including EXISTS/IN subqueries correlated to one."""
    if isinstance(predicate, exp.Boolean):
        return set()
    node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    if isinstance(node, exp.Or):
        # (a.x = 1 AND ...) OR (a.x = 2 AND ...): restricts what every branch restricts.
        per_branch = [
            set().union(*(_filtered_sources(query, part, scope, local) for part in conjuncts(branch)))
            for branch in disjuncts(node)
        ]
        return set.intersection(*per_branch) if per_branch else set()
    refs = _referenced(query, predicate, scope)
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
        source = query.source_of(column)
        if source in local:
            found.add(source)
    return found if len(found) == 1 else set()


__all__ = ["JoinGraph", "constant_filter_columns", "join_graph", "null_supplying", "using_columns"]
