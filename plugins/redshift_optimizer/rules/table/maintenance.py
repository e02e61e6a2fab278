"""Table maintenance rules: statistics, sort order, deleted rows (T006, T007, T011)."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext

#: SVV_TABLE_INFO reports stats_off = 100 when the table has never been analysed.
STATS_MISSING = 100.0


def t006(ctx: TableContext) -> Iterator[Hit]:
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


def t007(ctx: TableContext) -> Iterator[Hit]:
    t = ctx.table
    unsorted = t.unsorted_pct is not None and t.unsorted_pct > ctx.settings.unsorted_pct_max
    benefit = t.vacuum_sort_benefit is not None and t.vacuum_sort_benefit >= ctx.settings.vacuum_sort_benefit_min
    if not (unsorted or benefit):
        return
    facts = [*evidence.table(t)]
    if t.unsorted_pct is not None:
        facts.append(evidence.metric(f"{t.table_name}.unsorted_pct", t.unsorted_pct))
    if t.vacuum_sort_benefit is not None:
        facts.append(evidence.metric(f"{t.table_name}.vacuum_sort_benefit", t.vacuum_sort_benefit))
    yield Hit(
        message=(f"{t.table_name} is {t.unsorted_pct if t.unsorted_pct is not None else '?'}% unsorted "
                 f"(vacuum sort benefit {t.vacuum_sort_benefit if t.vacuum_sort_benefit is not None else '?'}): "
                 "zone maps of the unsorted region overlap, so range filters read more blocks"),
        evidence=facts, table=t.table_name,
    )


def t011(ctx: TableContext) -> Iterator[Hit]:
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


RULES = [
    Rule(code="T006", name="stale-stats", title="Stale or missing planner statistics",
         default_severity=Severity.MEDIUM, severity_text="MEDIUM (HIGH when missing)",
         summary="stats_off > 10, or statistics missing.",
         documentation=Documentation(
             what="stats_off above `stats_off_max` percent, or no statistics at all (stats_off 100).",
             why="The planner picks join order, join strategy and distribution from row counts; stale "
                 "counts lead to broadcasts of large tables and nested loops.",
             anti_pattern="-- millions of rows loaded since the last ANALYZE",
             better="ANALYZE public.sales;"),
         fix="ANALYZE the table (and keep auto analyze on).", check=t006, scope="table"),
    Rule(code="T007", name="unsorted", title="Table largely unsorted", default_severity=Severity.MEDIUM,
         severity_text="MEDIUM", summary="unsorted_pct > 20 or vacuum_sort_benefit >= 10.",
         documentation=Documentation(
             what="More than `unsorted_pct_max` percent of the rows unsorted, or a vacuum sort benefit "
                  "of at least `vacuum_sort_benefit_min`.",
             why="Rows appended after the last sort form an unsorted region whose zone maps overlap: "
                 "range filters on the sort key cannot skip those blocks.",
             anti_pattern="-- daily appends, no VACUUM for weeks",
             better="VACUUM SORT ONLY public.sales;"),
         fix="VACUUM SORT ONLY.", check=t007, scope="table"),
    Rule(code="T011", name="ghost-rows", title="Many deleted rows not vacuumed",
         default_severity=Severity.MEDIUM, severity_text="MEDIUM",
         summary="Rows marked deleted and not vacuumed > 10% (row_count - estimated_visible_rows).",
         documentation=Documentation(
             what="Rows marked for deletion but not yet reclaimed above `ghost_rows_max_ratio` of the table.",
             why="Deleted rows stay in the blocks until VACUUM: every scan reads and discards them.",
             anti_pattern="DELETE FROM events WHERE event_ts < '2025-01-01';  -- and no VACUUM",
             better="VACUUM DELETE ONLY analytics.events;"),
         fix="VACUUM DELETE ONLY.", check=t011, scope="table"),
]
