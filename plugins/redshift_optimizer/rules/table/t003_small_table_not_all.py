"""T003 small-table-not-all: small joined table not distributed ALL."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext

_ALL = ("ALL", "AUTO(ALL)")


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.dist_style is None or t.dist_style in _ALL or t.row_count is None:
        return
    if ctx.workload is not None:
        if not (ctx.is_small() and t.table_name in ctx.workload.joined_tables):
            return
        reason = f"it is small ({t.row_count:,} rows) and joined in the workload"
    else:
        if t.row_count > ctx.settings.all_dist_max_rows_without_workload:
            return
        reason = f"it has only {t.row_count:,} rows"
    yield Hit(
        message=(f"{t.table_name} is distributed {t.dist_style}, but {reason}: a copy on every node "
                 "(DISTSTYLE ALL) would spare the broadcast or redistribution at each join"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.dist_style", t.dist_style)],
        table=t.table_name,
    )


RULE = Rule(
    code="T003",
    name="small-table-not-all",
    title="Small joined table not distributed ALL",
    default_severity=Severity.LOW,
    severity_text="LOW",
    summary="A small table that is joined (or <= 1,000,000 rows without workload) is not DISTSTYLE ALL.",
    documentation=Documentation(
        what=(
            "A small table joined in the workload (or, without workload, of at most "
            "`all_dist_max_rows_without_workload` rows) whose dist style is not ALL or AUTO(ALL)."
        ),
        why=(
            "Each join with a table not on the join key broadcasts or redistributes it; a copy on "
            "every node costs little storage for a small table and makes those joins local."
        ),
        anti_pattern="CREATE TABLE nation (...) DISTSTYLE EVEN;",
        better="ALTER TABLE nation ALTER DISTSTYLE ALL;",
    ),
    fix="DISTSTYLE ALL.",
    check=check,
    scope="table",
)
