"""T006 stale-stats: stale or missing planner statistics."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext

#: SVV_TABLE_INFO reports stats_off = 100 when the table has never been analysed.
STATS_MISSING = 100.0


def check(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    if t.stats_off is None:
        return
    if t.stats_off >= STATS_MISSING:
        yield Hit(
            message=f"{t.table_name} has no planner statistics (stats_off {t.stats_off:g}): the planner guesses row counts",
            evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.stats_off", t.stats_off)],
            severity=Severity.HIGH, table=t.table_name,
        )
    elif t.stats_off > ctx.settings.stats_off_max:
        yield Hit(
            message=(f"{t.table_name}'s statistics are {t.stats_off:g}% stale: join order and "
                     "distribution choices rest on wrong row counts"),
            evidence=[*evidence.table(t), evidence.metric(f"{t.table_name}.stats_off", t.stats_off),
                      evidence.setting("stats_off_max", ctx.settings.stats_off_max)],
            table=t.table_name,
        )


RULE = Rule(
    code="T006",
    name="stale-stats",
    title="Stale or missing planner statistics",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM (HIGH when missing)",
    summary="stats_off > 10, or statistics missing.",
    documentation=Documentation(
        what="stats_off above `stats_off_max` percent, or no statistics at all (stats_off 100).",
        why=(
            "The planner picks join order, join strategy and distribution from row counts; stale "
            "counts lead to broadcasts of large tables and nested loops."
        ),
        anti_pattern="-- millions of rows loaded since the last ANALYZE",
        better="ANALYZE public.sales;",
    ),
    fix="ANALYZE the table (and keep auto analyze on).",
    check=check,
    scope="table",
)
