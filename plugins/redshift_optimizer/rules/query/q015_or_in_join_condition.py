"""Q015 or-in-join-condition: OR inside a join condition."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.joins import join_graph
from redshift_optimizer.sql.trees import columns_outside_subqueries, conjuncts, disjuncts


def _branch_links(ctx: QueryContext, node: exp.Expression, scope) -> bool | None:
    """Whether some OR branch compares two relations of the scope (None: cannot resolve)."""
    local = set(ctx.sources(scope).values())
    for branch in disjuncts(node):
        sources = ctx.referenced_sources(branch, scope)
        if sources is None:
            return None
        if len(sources & local) >= 2:
            return True
    return False


def _connected_without(graph, pair, predicate) -> bool:
    """Whether the two relations are joined (directly or through others) by predicates other
    than this one: then the join runs on those, and the OR filters the joined rows."""
    parent = {s: s for s in graph.sources}

    def find(s):
        while parent[s] is not s:
            s = parent[s]
        return s

    for edges in (graph.equi, graph.other):
        for edge, predicates in edges.items():
            if any(p is not predicate for p in predicates) and all(s in parent for s in edge):
                a, b = tuple(edge)
                parent[find(a)] = find(b)
    a, b = tuple(pair)
    return a in parent and b in parent and find(a) is find(b)


def check(ctx: QueryContext) -> Iterator[Hit]:
    for scope in ctx.select_scopes():
        graph = None
        on_parts = {id(p): join for join, p in ctx.join_conjuncts(scope)}
        for predicate in ctx.filter_predicates(scope):
            node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
            if not isinstance(node, exp.Or):
                continue
            links = _branch_links(ctx, node, scope)
            graph = graph or join_graph(ctx, scope)
            if links is None:
                join = on_parts.get(id(predicate))
                qualifiers = {c.table.lower() for c in columns_outside_subqueries(node) if c.table}
                if join is None or len(qualifiers) < 2 or any(
                    isinstance(p, exp.EQ) for p in conjuncts(join.args["on"])
                ):
                    continue
            elif not links:
                continue
            else:
                pairs = [pair for pair, preds in graph.other.items() if predicate in preds]
                if not pairs or any(pair in graph.equi for pair in pairs) or \
                        all(_connected_without(graph, pair, predicate) for pair in pairs):
                    continue  # other predicates join them; the OR is a residual filter
            where = "join condition" if id(predicate) in on_parts else "join predicate in WHERE"
            yield Hit(
                message=(
                    f"the {where} {ctx.fragment(node)} is an OR across relations with no "
                    "equality key beside it: Redshift cannot hash or merge on it and falls back "
                    "to a nested loop"
                ),
                evidence=[evidence.fragment(ctx, node)],
                node=node,
            )


RULE = Rule(
    code="Q015",
    name="or-in-join-condition",
    title="OR in a join condition",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="OR inside a join condition: no hash or merge join possible.",
    documentation=Documentation(
        what=(
            "A join condition with OR between predicates over both relations (in ON, or in WHERE "
            "for comma joins when the branches share no equality)."
        ),
        why=(
            "Hash and merge joins need one equality key. With `a.x = b.x OR a.y = b.y` Redshift "
            "has none and runs a nested loop over the product of both sides."
        ),
        anti_pattern="SELECT ... FROM a JOIN b ON a.x = b.x OR a.y = b.y",
        better="SELECT ... FROM a JOIN b ON a.x = b.x UNION ALL SELECT ... FROM a JOIN b ON a.y = b.y AND a.x <> b.x",
    ),
    fix="Split into a UNION ALL of equi-joins (excluding the rows the first branch already matched).",
    check=check,
)
