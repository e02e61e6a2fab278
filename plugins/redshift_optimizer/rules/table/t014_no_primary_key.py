"""T014 no-primary-key: no primary key declared."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.primary_key:
        return
    yield Hit(
        message=(f"{t.table_name} declares no primary key; Redshift does not enforce it, but the planner "
                 "uses it for uniqueness and validation uses it to find duplicates"),
        evidence=[evidence.table(t)[0], evidence.metric(f"{t.table_name}.primary_key", [])],
        table=t.table_name,
    )


RULE = Rule(
    code="T014",
    name="no-primary-key",
    title="No primary key declared",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="No declared primary key (informational in Redshift, but used by the planner and validation).",
    documentation=Documentation(
        what="A table with no declared primary key.",
        why=(
            "Redshift does not enforce keys, but the planner uses them to know uniqueness, and the "
            "validation agent uses them to find duplicate loads."
        ),
        anti_pattern="CREATE TABLE orders (order_id BIGINT, ...);",
        better="ALTER TABLE orders ADD PRIMARY KEY (order_id);",
    ),
    fix="Declare the primary key.",
    check=check,
    scope="table",
)
