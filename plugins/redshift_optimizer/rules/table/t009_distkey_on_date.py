"""T009 distkey-on-date: distributed on a date column."""

from __future__ import annotations

import re
from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    column = ctx.dist_key_column
    if column is None or not re.match(r"^(DATE|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH|TIMESTAMP WITHOUT)", column.type.upper()):
        return
    t = ctx.table
    yield Hit(
        message=(f"{t.table_name} is distributed on {column.name} ({column.type}): a day's rows land on "
                 "few slices, so queries on recent data run on a fraction of the cluster, and joins "
                 "on the real keys must redistribute"),
        evidence=[evidence.column(f"{t.table_name}.{column.name}", column.type), *evidence.table(t)],
        table=t.table_name, column=column.name,
    )


RULE = Rule(
    code="T009",
    name="distkey-on-date",
    title="Distributed on a date column",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="The dist key is a DATE or TIMESTAMP column.",
    documentation=Documentation(
        what="A table whose distribution key is a DATE or TIMESTAMP column.",
        why=(
            "Queries filter recent dates, which hash to a few slices: most of the cluster idles. "
            "Dates are never join keys, so joins redistribute."
        ),
        anti_pattern="CREATE TABLE sales (...) DISTKEY(sale_date);",
        better="ALTER TABLE sales ALTER DISTKEY customer_id;",
    ),
    fix="Distribute on a join key.",
    check=check,
    scope="table",
)
