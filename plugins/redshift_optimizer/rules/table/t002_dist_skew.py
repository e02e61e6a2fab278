"""T002 dist-skew: rows unevenly spread across slices."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.skew_rows is None or t.skew_rows < ctx.settings.dist_skew_max:
        return
    yield Hit(
        message=(f"{t.table_name} is skewed: the fullest slice holds {t.skew_rows:g} times the rows of "
                 f"the emptiest (dist key {t.dist_key or t.dist_style}); the slowest slice sets the pace"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.skew_rows", t.skew_rows),
                  evidence.metric(f"{t.table_name}.dist_key", t.dist_key)],
        table=t.table_name, column=t.dist_key,
    )


RULE = Rule(
    code="T002",
    name="dist-skew",
    title="Rows unevenly spread across slices",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="skew_rows >= 4.0: the fullest slice holds four times the rows of the emptiest.",
    documentation=Documentation(
        what="skew_rows (rows on the fullest slice over the emptiest) at or above `dist_skew_max`.",
        why=(
            "A query is as slow as its busiest slice; with skew the others wait, and the full slice "
            "spills first."
        ),
        anti_pattern="CREATE TABLE events (...) DISTKEY(country_code);  -- a few countries hold most rows",
        better="ALTER TABLE events ALTER DISTSTYLE EVEN;  -- or a high-cardinality key",
    ),
    fix="Distribute on a higher-cardinality key, or EVEN / AUTO.",
    check=check,
    scope="table",
)
