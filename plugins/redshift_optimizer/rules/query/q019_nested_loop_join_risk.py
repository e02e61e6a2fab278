"""Q019 nested-loop-join-risk: a join whose only conditions are non-equalities."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.joins import join_graph


def _is_or(predicate: exp.Expression) -> bool:
    node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
    return isinstance(node, exp.Or)


def _maybe_equi_linked(ctx: QueryContext, graph, source, earlier) -> bool:
    """Whether an equality the snapshot cannot place (unqualified columns) might tie the
    relation to the ones before it, directly or through another relation: without knowing,
    the rule stays silent rather than call the join non-equality only."""
    for predicate in graph.unresolved:
        node = predicate.unnest() if isinstance(predicate, exp.Paren) else predicate
        if isinstance(node, (exp.EQ, exp.NullSafeEQ)) and all(
            isinstance(side, exp.Column) for side in (node.this, node.expression)
        ):
            return True
    return False


def check(ctx: QueryContext) -> Iterator[Hit]:
    for scope in ctx.select_scopes():
        order = ctx.joined_sources(scope)
        if len(order) < 2:
            continue
        graph = join_graph(ctx, scope)
        if not graph.other:
            continue
        equi_groups = graph.components(equality_only=True)
        for index, (source, join) in enumerate(order):
            if index == 0:
                continue
            earlier = [s for s, _ in order[:index]]
            group = next(c for c in equi_groups if source in c)
            if any(s in group for s in earlier):
                continue  # an equality reaches it (directly or through another relation)
            if _maybe_equi_linked(ctx, graph, source, earlier):
                continue  # an equality we cannot attribute (no snapshot) may be its join key
            partners = [s for s in earlier if graph.linked(s, source)]
            if not partners:
                continue  # nothing links it at all: Q002's case
            linking = [(s, p) for s in partners for p in graph.other.get(frozenset((s, source)), [])
                       if not _is_or(p)]
            if not linking:
                continue  # linked only by ORs: Q015's case
            partner, predicate = linking[0]
            both_large = ctx.is_large(source.table) and ctx.is_large(partner.table)
            yield Hit(
                message=(
                    f"{source.name} is joined to {partner.name} only by non-equalities "
                    f"({ctx.fragment(predicate)}): no hash or merge key, so Redshift runs a "
                    f"nested loop over {evidence.rows(partner.table)} x {evidence.rows(source.table)}"
                ),
                evidence=[evidence.fragment(ctx, predicate), *evidence.table(partner.table, partner.name),
                          *evidence.table(source.table, source.name)],
                severity=Severity.HIGH if both_large else Severity.MEDIUM,
                table=source.table.table_name if source.table else None,
                node=predicate,
            )


RULE = Rule(
    code="Q019",
    name="nested-loop-join-risk",
    title="Join on non-equalities only",
    default_severity=Severity.MEDIUM,
    severity_text="HIGH when both are large, else MEDIUM",
    summary="A join between two tables whose only conditions are non-equalities (<, >, BETWEEN, <>).",
    documentation=Documentation(
        what="Two relations linked only by `<`, `>`, BETWEEN, `<>` or similar predicates, with no equality.",
        why=(
            "Without an equality Redshift can neither hash nor merge: it broadcasts one side and "
            "compares every pair of rows (the 'Nested Loop Join in the query plan' alert)."
        ),
        anti_pattern="SELECT e.id, p.rate FROM events e JOIN price_periods p ON e.ts BETWEEN p.valid_from AND p.valid_to",
        better=(
            "SELECT e.id, p.rate FROM events e JOIN price_periods p ON p.day = DATE_TRUNC('day', e.ts) "
            "AND e.ts BETWEEN p.valid_from AND p.valid_to   -- pre-bucketed ranges"
        ),
    ),
    fix="Find an equality key, or pre-bucket the ranges (e.g. one row per day) and join on the bucket.",
    check=check,
)
