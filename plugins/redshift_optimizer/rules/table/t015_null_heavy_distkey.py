"""T015 null-heavy-distkey: dist key mostly NULL."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    profile = ctx.table_profile
    column = ctx.dist_key_column
    if profile is None or column is None:
        return
    profiled = profile.column(column.name)
    if profiled is None:
        return
    ratio = profiled.null_ratio
    if ratio is None and profiled.null_count is not None and profile.row_count:
        ratio = profiled.null_count / profile.row_count  # a profile that gives counts only
    if ratio is None or ratio <= ctx.settings.null_distkey_max_ratio:
        return
    t = ctx.table
    yield Hit(
        message=(f"the dist key {t.table_name}.{column.name} is NULL in {ratio:.0%} of rows: "
                 "all NULLs hash to one slice, which does that share of the work alone"),
        evidence=[evidence.column(f"{t.table_name}.{column.name}", "dist key"),
                  evidence.metric(f"{t.table_name}.{column.name}.null_ratio", round(ratio, 4))],
        table=t.table_name, column=column.name,
    )


RULE = Rule(
    code="T015",
    name="null-heavy-distkey",
    title="Dist key mostly NULL",
    default_severity=Severity.HIGH,
    severity_text="HIGH",
    summary="The dist-key column is NULL in more than 10% of rows, so one slice holds them all.",
    documentation=Documentation(
        what="The profile shows the dist-key column NULL in more than `null_distkey_max_ratio` of rows.",
        why="All NULLs hash to the same slice: that slice stores and processes them alone.",
        anti_pattern="CREATE TABLE events (..., referrer_id BIGINT) DISTKEY(referrer_id);  -- 40% NULL",
        better="ALTER TABLE events ALTER DISTSTYLE EVEN;",
    ),
    fix="Another dist key, or EVEN.",
    check=check,
    scope="table",
    needs=("profile",),
)
