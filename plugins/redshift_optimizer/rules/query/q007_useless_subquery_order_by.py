"""Q007 useless-subquery-order-by: ORDER BY in a subquery, CTE or derived table without LIMIT."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext


def useless_order(query: exp.Expression, root: exp.Expression) -> exp.Order | None:
    """The ORDER BY of a nested query that has no LIMIT/TOP/OFFSET/FETCH to give it meaning."""
    if query is root or not isinstance(query, exp.Query):
        return None
    order = query.args.get("order")
    if order is None or any(query.args.get(k) for k in ("limit", "offset", "fetch")):
        return None
    parent = query.parent
    # The body of INSERT ... SELECT or CREATE TABLE AS is the statement's output, not a subquery.
    if isinstance(parent, (exp.Insert, exp.Create)) and parent.expression is query:
        return None
    if isinstance(parent, exp.SetOperation):
        return None  # ORDER BY on a branch is a syntax matter, judged by the parser
    if not isinstance(parent, (exp.Subquery, exp.CTE)) and query.find_ancestor(exp.Query) is None:
        return None
    return order


def check(ctx: QueryContext) -> Iterator[Hit]:
    root = ctx.statement
    if isinstance(root, (exp.Insert, exp.Create)):
        root = root.expression
    while isinstance(root, exp.Subquery):  # INSERT INTO t (SELECT ... ORDER BY ...)
        root = root.this
    for query in ctx.statement.find_all(exp.Select, exp.SetOperation):
        order = useless_order(query, root)
        if order is None:
            continue
        where = "CTE" if isinstance(query.parent, exp.CTE) else "subquery"
        yield Hit(
            message=(
                f"{ctx.fragment(order)} inside a {where} without LIMIT sorts rows whose order "
                "SQL does not keep: the outer query may reorder them, so the sort only costs"
            ),
            evidence=[evidence.fragment(ctx, order)],
            node=order,
        )


RULE = Rule(
    code="Q007",
    name="useless-subquery-order-by",
    title="ORDER BY in a subquery without LIMIT",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="ORDER BY inside a subquery, CTE or derived table that has no LIMIT/TOP.",
    documentation=Documentation(
        what="An ORDER BY inside a subquery, CTE or derived table that has no LIMIT, TOP, OFFSET or FETCH.",
        why=(
            "A relation has no order: the outer query's joins and aggregates redistribute the "
            "rows anyway. The sort runs on every slice and then on the leader, for nothing."
        ),
        anti_pattern="WITH recent AS (SELECT * FROM sales ORDER BY sale_date) SELECT customer_id, COUNT(*) FROM recent GROUP BY 1",
        better="WITH recent AS (SELECT * FROM sales) SELECT customer_id, COUNT(*) FROM recent GROUP BY 1",
    ),
    fix="Drop the ORDER BY (the rewrite does), or sort in the outermost query.",
    check=check,
)
