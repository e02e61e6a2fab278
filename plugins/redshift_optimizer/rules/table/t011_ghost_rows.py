"""T011 ghost-rows: many deleted rows not vacuumed."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    ghosts = t.ghost_rows
    if ghosts is None or not t.row_count:
        return
    ratio = ghosts / t.row_count
    if ratio <= ctx.settings.ghost_rows_max_ratio:
        return
    yield Hit(
        message=(f"{t.table_name} holds {ghosts:,} deleted rows not yet vacuumed ({ratio:.0%} of "
                 f"{t.row_count:,}): every scan still reads them"),
        evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.ghost_rows", ghosts),
                  evidence.metric(f"{t.table_name}.estimated_visible_rows", t.estimated_visible_rows)],
        table=t.table_name,
    )


RULE = Rule(
    code="T011",
    name="ghost-rows",
    title="Many deleted rows not vacuumed",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="Rows marked deleted and not vacuumed > 10% (row_count - estimated_visible_rows).",
    documentation=Documentation(
        what="Rows marked for deletion but not yet reclaimed above `ghost_rows_max_ratio` of the table.",
        why="Deleted rows stay in the blocks until VACUUM: every scan reads and discards them.",
        anti_pattern="DELETE FROM events WHERE event_ts < '2025-01-01';  -- and no VACUUM",
        better="VACUUM DELETE ONLY analytics.events;",
    ),
    fix="VACUUM DELETE ONLY.",
    check=check,
    scope="table",
)
