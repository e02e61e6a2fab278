"""Q005 not-in-subquery: ``expr NOT IN (SELECT ...)``."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def _not_null(ctx: QueryContext, expression: exp.Expression) -> bool | None:
    """Whether the snapshot says the expression is a NOT NULL column (None: cannot tell)."""
    expression = expression.unalias() if isinstance(expression, exp.Alias) else expression
    expression = expression.unnest() if isinstance(expression, exp.Paren) else expression
    if not isinstance(expression, exp.Column):
        return None
    origin = ctx.origin(expression)
    if origin is None or origin.column is None:
        return None
    if origin.column.nullable:
        return False
    # A NOT NULL column read through the NULL-supplying side of an outer join can be NULL.
    return not _outer_joined(ctx, ctx.source_of(expression))


def _outer_joined(ctx: QueryContext, source) -> bool:
    if source is None:
        return True
    order = ctx.joined_sources(source.scope)
    position = next((i for i, (s, _) in enumerate(order) if s is source), None)
    if position is None:
        return False
    for index, (_, join) in enumerate(order):
        side = (join.args.get("side") or "").upper() if join is not None else ""
        if side == "FULL" and index >= position or side == "LEFT" and index == position \
                or side == "RIGHT" and index > position:
            return True
    return False


def _not_in(node: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """(outer expression, subquery) of ``x NOT IN (SELECT ...)`` and its equivalents
    ``NOT (x IN (SELECT ...))``, ``x <> ALL (SELECT ...)`` and ``NOT x = ANY (SELECT ...)``."""
    if isinstance(node, exp.Not):
        inner = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        if isinstance(inner, exp.In) and inner.args.get("query") is not None:
            return inner.this, inner.args["query"]
        if isinstance(inner, exp.EQ) and isinstance(inner.expression, exp.Any):
            quantified = inner.expression.this
            if isinstance(quantified, (exp.Query, exp.Subquery)):
                return inner.this, quantified
        return None
    if isinstance(node, exp.NEQ) and isinstance(node.expression, exp.All):
        quantified = node.expression.this
        if isinstance(quantified, (exp.Query, exp.Subquery)):
            return node.this, quantified
    return None


def _columns(ctx: QueryContext, outer: exp.Expression, select: exp.Expression) -> list:
    """The compared columns with their nullability, where the snapshot knows them."""
    sides = [outer]
    if isinstance(select, exp.Select) and len(select.expressions) == 1:
        sides.append(select.expressions[0])
    facts = []
    for side in sides:
        side = side.unalias() if isinstance(side, exp.Alias) else side
        origin = ctx.origin(side) if isinstance(side, exp.Column) else None
        if origin is not None and origin.column is not None and origin.table is not None:
            nullable = "NULL" if origin.column.nullable else "NOT NULL"
            facts.append(evidence.column(origin.qualified, f"{origin.column.type} {nullable}"))
    return facts


def check(ctx: QueryContext) -> Iterator[Hit]:
    for node in ctx.find_all(exp.Not, exp.NEQ):
        found = _not_in(node)
        if found is None:
            continue
        outer, subquery = found
        select = subquery
        while isinstance(select, exp.Subquery):
            select = select.this
        outer_ok = _not_null(ctx, outer)
        inner_ok = (
            _not_null(ctx, select.expressions[0])
            if isinstance(select, exp.Select) and len(select.expressions) == 1 else None
        )
        if outer_ok and inner_ok:
            note = "both sides are NOT NULL in the snapshot, so NOT EXISTS returns the same rows"
        else:
            note = ("NOT EXISTS is equivalent only when neither side can be NULL (a NULL in the "
                    "subquery makes NOT IN return no rows at all)")
        yield Hit(
            message=(
                f"{ctx.fragment(node)} makes Redshift check for NULLs on both sides and often "
                f"plans a nested loop or broadcast; {note}"
            ),
            evidence=[evidence.fragment(ctx, node),
                      *_columns(ctx, outer, select),
                      evidence.metric("outer side NOT NULL", outer_ok),
                      evidence.metric("subquery side NOT NULL", inner_ok)],
            node=node,
        )


RULE = Rule(
    code="Q005",
    name="not-in-subquery",
    title="NOT IN with a subquery",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="expr NOT IN (SELECT ...): NULL-aware anti-join, hard to plan well.",
    documentation=Documentation(
        what="A predicate `expr NOT IN (SELECT ...)`, or its equivalent `expr <> ALL (SELECT ...)`.",
        why=(
            "NOT IN must return no row when the subquery yields a NULL, so Redshift cannot use a "
            "plain hash anti-join: it checks NULLs on both sides, often with a nested loop or a "
            "broadcast of the subquery's result."
        ),
        anti_pattern="SELECT c.id FROM customers c WHERE c.id NOT IN (SELECT o.customer_id FROM orders o)",
        better="SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
    ),
    fix="Use NOT EXISTS with a correlated equality (equivalent only when both sides are NOT NULL).",
    check=check,
)
