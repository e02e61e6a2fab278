"""Q007 useless-subquery-order-by: ORDER BY in a subquery, CTE or derived table without LIMIT."""

from __future__ import annotations

from typing import Iterator

from sqlglot import exp

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.query_context import QueryContext
from redshift_optimizer.sql.redundancy import useless_order


def check(ctx: QueryContext) -> Iterator[Hit]:
    root = ctx.statement
    if isinstance(root, (exp.Insert, exp.Create)):
        root = root.expression
    while isinstance(root, exp.Subquery):  # INSERT INTO t (SELECT ... ORDER BY ...)
        root = root.this
    for query in ctx.find_all(exp.Select, exp.SetOperation):
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
