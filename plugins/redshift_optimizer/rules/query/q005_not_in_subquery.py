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
    expression = expression.unnest() if isinstance(expression, exp.Paren) else expression
    if not isinstance(expression, exp.Column):
        return None
    origin = ctx.origin(expression)
    if origin is None or origin.column is None:
        return None
    return not origin.column.nullable


def check(ctx: QueryContext) -> Iterator[Hit]:
    for node in ctx.statement.find_all(exp.Not):
        inner = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        if not isinstance(inner, exp.In) or inner.args.get("query") is None:
            continue
        subquery = inner.args["query"]
        select = subquery.this if isinstance(subquery, exp.Subquery) else subquery
        outer_ok = _not_null(ctx, inner.this)
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
        what="A predicate `expr NOT IN (SELECT ...)`.",
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
