"""T012 distkey-not-dominant-join-column: dist key is not the usual join column."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext, usage_counts


def check(ctx: TableContext) -> Iterator[Hit]:
    if ctx.workload is None or not ctx.is_large():
        return
    joins = ctx.workload.joins.get(ctx.name)
    if not joins:
        return
    column, count = joins.most_common(1)[0]
    current = (ctx.table.dist_key or "").lower()
    if column == current or (ctx.table.dist_style or "") in ("ALL", "AUTO(ALL)"):
        return
    if current and joins.get(current, 0) >= count:
        return  # the dist key is joined as often as any other column
    yield Hit(
        message=(f"{ctx.name} is joined most often on {column} ({count} executions in the window) but "
                 f"distributed on {current or ctx.table.dist_style or 'nothing'}: those joins redistribute it"),
        evidence=[*evidence.table(ctx.table), evidence.metric(f"{ctx.name}.dist_key", ctx.table.dist_key),
                  *usage_counts(joins)],
        table=ctx.name, column=column,
        fix=f"ALTER TABLE {ctx.name} ALTER DISTKEY {column};",
    )


RULE = Rule(
    code="T012",
    name="distkey-not-dominant-join-column",
    title="Dist key is not the usual join column",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="Workload: a large table is most often joined on a column other than its dist key.",
    documentation=Documentation(
        what=(
            "A large table whose most frequent equality-join column in the slow-query window "
            "(weighted by executions; ON, WHERE, USING and correlated subqueries count) is not its "
            "dist key, and is joined more often than the dist key."
        ),
        why=(
            "Joins on the dist key are local to each slice; joins on any other column move the table "
            "across the network each time."
        ),
        anti_pattern="-- orders DISTKEY(customer_id), joined to lineitem on order_id 40 times a day",
        better="ALTER TABLE orders ALTER DISTKEY order_id;",
    ),
    fix="ALTER DISTKEY to the dominant join column (the join counts are the evidence).",
    check=check,
    scope="table",
    needs=("workload",),
)
