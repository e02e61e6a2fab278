"""T013 sortkey-not-dominant-filter-column: sort key is not the usual filter column."""

from __future__ import annotations

from typing import Iterator

from redshift_optimizer.models.findings import Severity
from redshift_optimizer.rules import evidence
from redshift_optimizer.rules.base import Documentation, Hit, Rule
from redshift_optimizer.rules.table_context import TableContext, usage_counts


def check(ctx: TableContext) -> Iterator[Hit]:
    if ctx.workload is None or not ctx.is_large():
        return
    filters = ctx.workload.filters.get(ctx.name)
    if not filters:
        return
    column, count = filters.most_common(1)[0]
    leading = ctx.table.sort_keys[0].lower() if ctx.table.sort_keys else ""
    if column == leading or ctx.table.sort_key_type == "AUTO":
        return
    if leading and filters.get(leading, 0) >= count:
        return  # the leading sort key is filtered as often as any other column
    if (ctx.table.sort_key_type or "").upper() == "INTERLEAVED" and column in {k.lower() for k in ctx.table.sort_keys}:
        return  # each column of an interleaved sort key skips blocks equally
    yield Hit(
        message=(f"{ctx.name} is filtered most often on {column} ({count} executions in the window) but "
                 f"its leading sort key is {leading or 'missing'}: those filters cannot skip blocks"),
        evidence=[*evidence.table(ctx.table), evidence.metric(f"{ctx.name}.sort_keys", ctx.table.sort_keys),
                  *usage_counts(filters)],
        table=ctx.name, column=column,
        fix=f"ALTER TABLE {ctx.name} ALTER COMPOUND SORTKEY ({column});",
    )


RULE = Rule(
    code="T013",
    name="sortkey-not-dominant-filter-column",
    title="Sort key is not the usual filter column",
    default_severity=Severity.MEDIUM,
    severity_text="MEDIUM",
    summary="Workload: a large table is most often filtered on a column other than its leading sort key.",
    documentation=Documentation(
        what=(
            "A large table whose most frequent filter column in the slow-query window (weighted by "
            "executions; SELECT, UPDATE and DELETE filters count) is not the leading column of its "
            "sort key, and is filtered more often than that column."
        ),
        why="Only filters on the leading sort-key column skip blocks well; the others read the table.",
        anti_pattern="-- events SORTKEY(event_id), filtered on event_ts in 90% of queries",
        better="ALTER TABLE events ALTER COMPOUND SORTKEY (event_ts);",
    ),
    fix="ALTER SORTKEY to the dominant filter column (the filter counts are the evidence).",
    check=check,
    scope="table",
    needs=("workload",),
)
